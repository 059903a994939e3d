using Simian.Core.Profiles;
using Simian.Core.Yaml;

namespace Simian.Local.Faults;

/// <summary><c>latency</c>: delays data through the proxy by <c>delay</c> ± <c>jitter</c>.</summary>
public sealed class LatencyFault(LocalProvider provider) : ProxyToxicFault<LatencyFault.Parameters>(provider)
{
    /// <summary>The step's params: the added delay, and the random variation around it.</summary>
    public sealed record Parameters(TimeSpan Delay, TimeSpan Jitter);

    public override string Name => "latency";

    public override string Summary => "add delay (and jitter) to traffic through the proxy";

    protected override string ToxicType => "latency";

    protected override string[] ParamKeys => ["delay", "jitter"];

    protected override Parameters Read(MapReader parameters) => new(
        parameters.Duration("delay", required: true, min: TimeSpan.FromMilliseconds(1)) ?? TimeSpan.Zero,
        parameters.Duration("jitter") ?? TimeSpan.Zero);

    protected override Dictionary<string, double> Attributes(Parameters parameters) => new()
    {
        ["delayMs"] = parameters.Delay.TotalMilliseconds,
        ["jitterMs"] = parameters.Jitter.TotalMilliseconds,
    };

    protected override string Describe(Parameters parameters) =>
        $"add {Duration.Format(parameters.Delay)}{(parameters.Jitter > TimeSpan.Zero ? $" ±{Duration.Format(parameters.Jitter)}" : "")} latency";
}
