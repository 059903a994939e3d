using System.Globalization;
using Simian.Core.Yaml;

namespace Simian.Local.Faults;

/// <summary><c>bandwidth</c>: limits throughput to <c>bytesPerSecond</c>.</summary>
public sealed class BandwidthFault(LocalProvider provider) : ProxyToxicFault(provider)
{
    public override string Name => "bandwidth";

    public override string Summary => "limit throughput through the proxy";

    protected override string ToxicType => "bandwidth";

    protected override string[] ParamKeys => ["bytesPerSecond"];

    protected override void Validate(MapReader parameters) => parameters.Integer("bytesPerSecond", 1, 100L * 1024 * 1024 * 1024, required: true);

    protected override Dictionary<string, double> Attributes(YMapping parameters) => new()
    {
        ["bytesPerSecond"] = double.Parse(((YScalar)parameters.Get("bytesPerSecond")!).Value, CultureInfo.InvariantCulture),
    };

    public override string Describe(YMapping parameters, TimeSpan? duration) =>
        $"limit to {((YScalar)parameters.Get("bytesPerSecond")!).Value} bytes/s {Direction(parameters)}{For(duration)}";
}
