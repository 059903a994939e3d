namespace Simian.Sandbox.Ec2;

/// <summary>EC2 instance states; the numeric values are the API's state codes.</summary>
internal enum InstanceStateName
{
    Pending = 0,
    Running = 16,
    ShuttingDown = 32,
    Terminated = 48,
    Stopping = 64,
    Stopped = 80,
}
