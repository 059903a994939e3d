using Simian.Core.Yaml;

namespace Simian.Local.Faults;

/// <summary><c>blackhole</c>: connections stay open but nothing gets through in one direction.</summary>
public sealed class BlackholeFault(LocalProvider provider) : ProxyToxicFault(provider)
{
    public override string Name => "blackhole";

    public override string Summary => "accept connections but pass nothing through";

    protected override string ToxicType => "blackhole";

    protected override string[] ParamKeys => [];

    protected override void Validate(MapReader parameters) { }

    protected override Dictionary<string, double> Attributes(YMapping parameters) => [];

    public override string Describe(YMapping parameters, TimeSpan? duration) => $"swallow all data {Direction(parameters)}{For(duration)}";
}
