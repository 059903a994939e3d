using Simian.Core.Yaml;

namespace Simian.Local.Faults;

/// <summary><c>reset</c>: closes connections through the proxy with a TCP RST.</summary>
public sealed class ResetFault(LocalProvider provider) : ProxyToxicFault<ResetFault.Parameters>(provider)
{
    /// <summary>None of its own: a reset resets.</summary>
    public sealed record Parameters;

    public override string Name => "reset";

    public override string Summary => "reset (RST) every connection through the proxy";

    protected override string ToxicType => "reset";

    protected override string[] ParamKeys => [];

    protected override Parameters Read(MapReader parameters) => new();

    protected override Dictionary<string, double> Attributes(Parameters parameters) => [];

    protected override string Describe(Parameters parameters) => "reset every connection";

    /// <summary>Whichever way it is set, a reset closes the whole connection: the direction is not worth saying.</summary>
    protected override bool SaysDirection => false;
}
