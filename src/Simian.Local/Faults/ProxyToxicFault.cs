using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Simian.Core.Diagnostics;
using Simian.Core.Providers;
using Simian.Core.Yaml;
using Simian.Proxy;

namespace Simian.Local.Faults;

/// <summary>
/// What every proxy fault shares: a toxic named after the run and step, added with a time-to-live and kept
/// alive while held, removed on undo. Each fault says only its type, parameters and description.
/// </summary>
public abstract class ProxyToxicFault<TParams>(LocalProvider provider) : IFault, IKeepAliveFault
    where TParams : class
{
    protected static readonly string[] Directions = ["downstream", "upstream"];

    public abstract string Name { get; }

    public abstract string Summary { get; }

    public bool Reversible => true;

    /// <summary>The proxy's toxic type.</summary>
    protected abstract string ToxicType { get; }

    /// <summary>Parameter keys besides <c>direction</c>.</summary>
    protected abstract string[] ParamKeys { get; }

    /// <summary>The toxic's own keys and <c>direction</c>, which every toxic takes.</summary>
    public IReadOnlyList<string> ParameterKeys => [.. ParamKeys, "direction"];

    public string? ExpiresOnItsOwn(IReadOnlyDictionary<string, string> settings) =>
        $"the proxy drops the toxic by itself {Simian.Core.Profiles.Duration.Format(LocalProvider.FaultTtl(settings))} after the last keep-alive (providers.local.faultTtl)";

    public TimeSpan KeepAliveInterval(FaultContext context) => TimeSpan.FromTicks(LocalProvider.FaultTtl(context.Settings.Values).Ticks / 3);

    public void ValidateParams(YMapping parameters, DiagnosticBag diagnostics) =>
        FaultParameters.Read(parameters, diagnostics, $"{Name} params", ParameterKeys, ReadAll);

    /// <summary>The step's params, typed (read once, when the profile was loaded).</summary>
    protected ToxicParams<TParams> Params(YMapping parameters) => FaultParameters.Get(parameters, $"{Name} params", ParameterKeys, ReadAll);

    private ToxicParams<TParams> ReadAll(MapReader r) => new(r.Choice("direction", Directions) ?? "downstream", Read(r));

    /// <summary>Reads (and checks, with locations) the toxic's own parameters.</summary>
    protected abstract TParams Read(MapReader parameters);

    /// <summary>Toxic attributes (with units in their names) from the step's params.</summary>
    protected abstract Dictionary<string, double> Attributes(TParams parameters);

    public string Describe(YMapping parameters, TimeSpan? duration)
    {
        var p = Params(parameters);
        return $"{Describe(p.Own)}{(SaysDirection ? " " + p.Direction : "")}{For(duration)}";
    }

    /// <summary>Whether the plan names the direction (not for a toxic that acts on the whole connection either way).</summary>
    protected virtual bool SaysDirection => true;

    /// <summary>What the toxic does, in words, before its direction and duration.</summary>
    protected abstract string Describe(TParams parameters);

    protected static string For(TimeSpan? duration) => duration is { } d ? $" for {Simian.Core.Profiles.Duration.Format(d)}" : " until rollback";

    public Task<JsonObject> CaptureAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var ttl = LocalProvider.FaultTtl(context.Settings.Values);
        // Nothing to read: the undo is removing a toxic whose name is unique to this run and step.
        return Task.FromResult(UndoRecords.Write(
            new ToxicUndo { Proxy = context.Resource.Id, Toxic = ToxicName(context), TtlMs = (long)ttl.TotalMilliseconds }, ToxicUndoJson.Default.ToxicUndo));
    }

    public async Task ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        var client = ClientOrThrow(context.Settings);
        var record = ReadUndo(undo, context.Resource.Id);
        var parameters = Params(context.Parameters);
        var spec = new ToxicSpec(record.Toxic, ToxicType,
            parameters.Direction == "upstream" ? ToxicStream.Upstream : ToxicStream.Downstream,
            record.TtlMs, Attributes(parameters.Own));
        await client.AddToxicAsync(context.Resource.Id, spec, cancellationToken).ConfigureAwait(false);
    }

    public async Task KeepAliveAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        var client = ClientOrThrow(context.Settings);
        var record = ReadUndo(undo, context.Resource.Id);
        await client.HeartbeatAsync(record.Proxy, record.Toxic, record.TtlMs, cancellationToken).ConfigureAwait(false);
    }

    public async Task<UndoOutcome> UndoAsync(UndoContext context, CancellationToken cancellationToken)
    {
        var record = ReadUndo(context.Undo, context.ResourceId);
        var client = provider.Client(context.Settings, context.Session);
        // An embedded proxy lives and dies with the run that started it: if that run is gone, so is the fault.
        if (client is null) return UndoOutcome.NothingToUndo;
        try
        {
            var removed = await client.RemoveToxicAsync(record.Proxy, record.Toxic, cancellationToken).ConfigureAwait(false);
            return removed ? UndoOutcome.Restored : UndoOutcome.NothingToUndo;
        }
        catch (ProxyControlException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // The proxy itself is gone (removed or the server restarted): no toxic remains on it.
            return UndoOutcome.NothingToUndo;
        }
        catch (ProxyControlException e) when (e.StatusCode is null)
        {
            throw new InvalidOperationException(
                $"proxy control API unreachable ({e.Message}); the toxic lapses by itself at most {Simian.Core.Profiles.Duration.Format(TimeSpan.FromMilliseconds(record.TtlMs))} after the run stopped renewing it", e);
        }
    }

    private ToxicUndo ReadUndo(JsonObject undo, string proxy) =>
        UndoRecords.Read(undo, ToxicUndoJson.Default.ToxicUndo, $"the {Name} toxic on proxy {proxy}");

    private ProxyControlClient ClientOrThrow(Simian.Core.Profiles.ProviderSettings settings) =>
        provider.Client(settings.Values, settings.Session) ?? throw new InvalidOperationException("the embedded proxy is not running");

    private static string ToxicName(FaultContext context) =>
        $"simian-{context.RunId}-{new string(context.StepName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray())}";
}

/// <summary>What removes a toxic: the proxy, the toxic's run-unique name, and the TTL it lapses after if never renewed.</summary>
public sealed record ToxicUndo
{
    public required string Proxy { get; init; }
    public required string Toxic { get; init; }
    public required long TtlMs { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ToxicUndo))]
internal sealed partial class ToxicUndoJson : JsonSerializerContext;

/// <summary>A proxy toxic's params: the direction every toxic takes, and the toxic's own.</summary>
public sealed record ToxicParams<TParams>(string Direction, TParams Own);
