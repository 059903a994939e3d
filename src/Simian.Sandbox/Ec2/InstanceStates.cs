namespace Simian.Sandbox.Ec2;

/// <summary>Converts instance states to and from their API names.</summary>
internal static class InstanceStates
{
    public static readonly IReadOnlyList<string> Names =
        ["pending", "running", "stopping", "stopped", "shutting-down", "terminated"];

    public static string Name(InstanceStateName state) => state switch
    {
        InstanceStateName.Pending => "pending",
        InstanceStateName.Running => "running",
        InstanceStateName.ShuttingDown => "shutting-down",
        InstanceStateName.Terminated => "terminated",
        InstanceStateName.Stopping => "stopping",
        InstanceStateName.Stopped => "stopped",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    public static bool TryParse(string name, out InstanceStateName state)
    {
        state = name switch
        {
            "pending" => InstanceStateName.Pending,
            "running" => InstanceStateName.Running,
            "shutting-down" => InstanceStateName.ShuttingDown,
            "terminated" => InstanceStateName.Terminated,
            "stopping" => InstanceStateName.Stopping,
            "stopped" => InstanceStateName.Stopped,
            _ => (InstanceStateName)(-1),
        };
        return (int)state >= 0;
    }
}
