using System.Globalization;
using Simian.Core.Yaml;

namespace Simian.Local.Faults;

/// <summary><c>bandwidth</c>: limits throughput to <c>bytesPerSecond</c>.</summary>
public sealed class BandwidthFault(LocalProvider provider) : ProxyToxicFault<BandwidthFault.Parameters>(provider)
{
    /// <summary>The step's params: the limit.</summary>
    public sealed record Parameters(long BytesPerSecond);

    public override string Name => "bandwidth";

    public override string Summary => "limit throughput through the proxy";

    protected override string ToxicType => "bandwidth";

    protected override string[] ParamKeys => ["bytesPerSecond"];

    protected override Parameters Read(MapReader parameters) =>
        new(parameters.Integer("bytesPerSecond", 1, 100L * 1024 * 1024 * 1024, required: true) ?? 0);

    protected override Dictionary<string, double> Attributes(Parameters parameters) => new() { ["bytesPerSecond"] = parameters.BytesPerSecond };

    protected override string Describe(Parameters parameters) => $"limit to {parameters.BytesPerSecond.ToString(CultureInfo.InvariantCulture)} bytes/s";
}
