using Simian.Core.Yaml;

namespace Simian.Local.Faults;

/// <summary><c>blackhole</c>: connections stay open but nothing gets through in one direction.</summary>
public sealed class BlackholeFault(LocalProvider provider) : ProxyToxicFault<BlackholeFault.Parameters>(provider)
{
    /// <summary>None of its own: only the direction every toxic takes.</summary>
    public sealed record Parameters;

    public override string Name => "blackhole";

    public override string Summary => "accept connections but pass nothing through";

    protected override string ToxicType => "blackhole";

    protected override string[] ParamKeys => [];

    protected override Parameters Read(MapReader parameters) => new();

    protected override Dictionary<string, double> Attributes(Parameters parameters) => [];

    protected override string Describe(Parameters parameters) => "swallow all data";
}
