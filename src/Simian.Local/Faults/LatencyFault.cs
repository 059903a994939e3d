using Simian.Core.Profiles;
using Simian.Core.Yaml;

namespace Simian.Local.Faults;

/// <summary><c>latency</c>: delays data through the proxy by <c>delay</c> ± <c>jitter</c>.</summary>
public sealed class LatencyFault(LocalProvider provider) : ProxyToxicFault(provider)
{
    public override string Name => "latency";

    public override string Summary => "add delay (and jitter) to traffic through the proxy";

    protected override string ToxicType => "latency";

    protected override string[] ParamKeys => ["delay", "jitter"];

    protected override void Validate(MapReader parameters)
    {
        parameters.Duration("delay", required: true, min: TimeSpan.FromMilliseconds(1));
        parameters.Duration("jitter");
    }

    protected override Dictionary<string, double> Attributes(YMapping parameters) => new()
    {
        ["delayMs"] = DurationParam(parameters, "delay").TotalMilliseconds,
        ["jitterMs"] = DurationParam(parameters, "jitter").TotalMilliseconds,
    };

    public override string Describe(YMapping parameters, TimeSpan? duration)
    {
        var jitter = DurationParam(parameters, "jitter");
        return $"add {Duration.Format(DurationParam(parameters, "delay"))}{(jitter > TimeSpan.Zero ? $" ±{Duration.Format(jitter)}" : "")} latency {Direction(parameters)}{For(duration)}";
    }
}
