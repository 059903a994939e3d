using Simian.Core.Yaml;

namespace Simian.Local.Faults;

/// <summary><c>reset</c>: closes connections through the proxy with a TCP RST.</summary>
public sealed class ResetFault(LocalProvider provider) : ProxyToxicFault(provider)
{
    public override string Name => "reset";

    public override string Summary => "reset (RST) every connection through the proxy";

    protected override string ToxicType => "reset";

    protected override string[] ParamKeys => [];

    protected override void Validate(MapReader parameters) { }

    protected override Dictionary<string, double> Attributes(YMapping parameters) => [];

    public override string Describe(YMapping parameters, TimeSpan? duration) => $"reset every connection{For(duration)}";
}
