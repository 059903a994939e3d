namespace Simian.Sandbox.Ec2;

/// <summary>The state-changing EC2 calls.</summary>
internal enum InstanceOperation
{
    Stop,
    Start,
    Terminate,
    Reboot,
}
