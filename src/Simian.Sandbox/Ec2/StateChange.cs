namespace Simian.Sandbox.Ec2;

/// <summary>One instance's previous and current state, as Stop/Start/TerminateInstances report it.</summary>
internal sealed record StateChange(string InstanceId, InstanceStateName Previous, InstanceStateName Current);
