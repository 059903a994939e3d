using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Simian.Core.Diagnostics;
using Simian.Core.Providers;
using Simian.Core.Yaml;

namespace Simian.Core.Profiles;

/// <summary>The outcome of loading a profile: the experiment when valid, and every problem found.</summary>
public sealed record LoadResult(Experiment? Experiment, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool Ok => Experiment is not null && Diagnostics.Count == 0;
}

/// <summary>Loads and validates <c>simian/v1</c> profiles, reporting all problems at once with file:line:col.</summary>
public sealed class ProfileLoader(ProviderRegistry registry)
{
    public const string ApiVersion = "simian/v1";

    private static readonly string[] TopKeys = ["apiVersion", "kind", "metadata", "parameters", "providers", "targets", "safety", "steadyState", "method", "rollback"];
    private static readonly string[] MetadataKeys = ["name", "description", "owner", "labels"];
    private static readonly string[] TargetKeys = ["type", "selector", "pick", "optional"];
    private static readonly string[] PickKeys = ["count", "percent", "per"];
    private static readonly string[] SafetyKeys = ["maxTargets", "maxPercent", "requireTags", "excludeTags", "allowedRegions", "allowedAccounts", "window", "maxDuration", "requireApproval"];
    private static readonly string[] WindowKeys = ["days", "start", "end", "timezone"];
    private static readonly string[] SteadyKeys = ["interval", "tolerance", "abortOnDeviation", "probes"];
    private static readonly string[] ProbeKeys = ["name", "http", "command"];
    private static readonly string[] HttpKeys = ["url", "expectStatus", "timeout", "maxLatency", "method"];
    private static readonly string[] CommandKeys = ["run", "expectExit", "timeout"];
    private static readonly string[] StepKeys = ["name", "fault", "target", "params", "duration", "irreversible"];
    private static readonly string[] PauseKeys = ["pause"];
    private static readonly string[] ParallelKeys = ["parallel"];
    private static readonly string[] RollbackModes = ["always", "on-deviation", "never"];
    private static readonly string[] DayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    /// <param name="parameters">Values for the profile's <c>parameters</c> and the seed to pick the rest with; none for validate.</param>
    public LoadResult Load(string path, ParameterInput? parameters = null)
    {
        var diagnostics = new DiagnosticBag();
        var root = YamlDocumentReader.ReadFile(path, diagnostics);
        return Build(root, path, diagnostics, parameters ?? ParameterInput.None);
    }

    public LoadResult LoadText(string text, string path, ParameterInput? parameters = null)
    {
        var diagnostics = new DiagnosticBag();
        var root = YamlDocumentReader.ReadText(text, path, diagnostics);
        return Build(root, path, diagnostics, parameters ?? ParameterInput.None);
    }

    private LoadResult Build(YNode? root, string path, DiagnosticBag d, ParameterInput input)
    {
        if (root is null)
        {
            if (!d.HasErrors) d.Error(new SourceLocation(path, 1, 1), "profile is empty");
            return new LoadResult(null, d.Sorted());
        }
        IReadOnlyList<ParameterValue> parameters = [];
        if (root is YMapping document)
        {
            // Values first: everything after this reads the profile with ${name} already replaced.
            parameters = ProfileParameters.Resolve(document, input, d);
            root = ProfileParameters.Substitute(document, parameters, d);
        }
        var top = MapReader.Of(root, d, "the profile", TopKeys);
        if (top is null) return new LoadResult(null, d.Sorted());

        var apiVersion = top.String("apiVersion", required: true);
        if (apiVersion is not null && apiVersion != ApiVersion)
        {
            d.Error(top.Raw("apiVersion")!.Location, $"unsupported apiVersion '{apiVersion}'; this simian reads '{ApiVersion}'");
        }
        var kind = top.String("kind", required: true);
        if (kind is not null && kind != "Experiment")
        {
            d.Error(top.Raw("kind")!.Location, $"unsupported kind '{kind}'; expected 'Experiment'");
        }

        var metadata = ReadMetadata(top, d);
        var providers = ReadProviders(top, d);
        var targets = ReadTargets(top, d);
        var safety = ReadSafety(top, d);
        var steady = ReadSteadyState(top, d, path);
        var method = ReadMethod(top, d, targets);
        var rollbackText = top.Choice("rollback", RollbackModes) ?? "always";
        var rollback = rollbackText switch { "on-deviation" => RollbackMode.OnDeviation, "never" => RollbackMode.Never, _ => RollbackMode.Always };

        if (safety.MaxDuration is { } maxDuration
            && MethodUnits.Of(method, s => s).Sum(u => u.Max(s => (s.Duration ?? TimeSpan.Zero).Ticks)) > maxDuration.Ticks)
        {
            d.Error(top.LocationOf("method"), $"the method's steps last longer than safety.maxDuration ({Duration.Format(maxDuration)})");
        }

        var experiment = new Experiment
        {
            SourcePath = path,
            Metadata = metadata,
            Providers = providers,
            Targets = targets,
            Safety = safety,
            SteadyState = steady,
            Method = method,
            Rollback = rollback,
            Parameters = parameters,
            // With the parameters' values put in: the fingerprint covers the zone that will run.
            CanonicalContentOf = () => Canonical(root),
        };
        return new LoadResult(d.HasErrors ? null : experiment, d.Sorted());
    }

    private static Metadata ReadMetadata(MapReader top, DiagnosticBag d)
    {
        var m = MapReader.Of(top.Raw("metadata"), d, "metadata", MetadataKeys);
        if (m is null)
        {
            d.Error(top.Location, "the profile is missing required key 'metadata'");
            return new Metadata("unnamed", null, null, new Dictionary<string, string>());
        }
        var name = m.String("name", required: true) ?? "unnamed";
        if (name.Length == 0) d.Error(m.Raw("name")!.Location, "metadata.name must not be empty");
        if (name.Length > 0 && !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            d.Error(m.Raw("name")!.Location, $"metadata.name '{name}' may hold only letters, digits, '-', '_' and '.'");
        }
        return new Metadata(name, m.String("description"), m.String("owner"), m.StringMap("labels") ?? new Dictionary<string, string>());
    }

    private IReadOnlyDictionary<string, ProviderSettings> ReadProviders(MapReader top, DiagnosticBag d)
    {
        var result = new Dictionary<string, ProviderSettings>(StringComparer.Ordinal);
        var node = top.Mapping("providers");
        if (node is null) return result;
        foreach (var entry in node.Entries)
        {
            var provider = registry.Provider(entry.Key.Value);
            if (provider is null)
            {
                d.Error(entry.Key.Location, DidYouMean.Unknown("provider", entry.Key.Value, registry.ProviderNames));
                continue;
            }
            // The provider checks its own keys (ValidateSettings), so they are not checked here too.
            var block = entry.Value as YMapping;
            if (block is null && entry.Value is not YScalar { IsNull: true })
            {
                d.Error(entry.Value.Location, $"providers.{entry.Key.Value} must be a mapping, not {entry.Value.KindName}");
            }
            var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var setting in block?.Entries ?? [])
            {
                if (setting.Value is YScalar { IsNull: false } s) values[setting.Key.Value] = s.Value;
            }
            var settings = new ProviderSettings(entry.Key.Value, values, block, entry.Key.Location);
            if (block is not null) provider.ValidateSettings(settings, d);
            result[entry.Key.Value] = settings;
        }
        return result;
    }

    private IReadOnlyList<TargetSpec> ReadTargets(MapReader top, DiagnosticBag d)
    {
        var list = new List<TargetSpec>();
        var node = top.Mapping("targets");
        if (node is null) return list;
        foreach (var entry in node.Entries)
        {
            var name = entry.Key.Value;
            var t = MapReader.Of(entry.Value, d, $"target '{name}'", TargetKeys);
            if (t is null) continue;
            var type = t.String("type", required: true);
            var selector = t.Mapping("selector") ?? new YMapping([], t.Location);
            var pick = ReadPick(t, d);
            var optional = t.Boolean("optional") ?? false;
            if (type is null) continue;
            var typeLocation = t.Raw("type")!.Location;
            var targetType = registry.TargetType(type);
            if (targetType is null)
            {
                d.Error(typeLocation, DidYouMean.Unknown("target type", type, registry.TargetTypeNames));
            }
            else
            {
                targetType.ValidateSelector(selector, d);
                if (pick.Per is { } per && !targetType.SupportsPer(per))
                {
                    d.Error(t.LocationOf("pick"), $"target type '{type}' cannot pick per '{per}'");
                }
            }
            list.Add(new TargetSpec(name, type, selector, pick, entry.Key.Location, typeLocation, optional));
        }
        return list;
    }

    private static PickSpec ReadPick(MapReader target, DiagnosticBag d)
    {
        var node = target.Raw("pick");
        switch (node)
        {
            case null or YScalar { IsNull: true }:
                return PickSpec.All;
            case YScalar { Value: "all" }:
                return PickSpec.All;
            case YScalar s:
                d.Error(s.Location, $"pick must be 'all', {{count: N}} or {{percent: P}}, not '{s.Value}'");
                return PickSpec.All;
        }
        var p = MapReader.Of(node, d, "pick", PickKeys);
        if (p is null) return PickSpec.All;
        var count = p.Integer("count", 1, 1_000_000);
        var percent = p.Number("percent", 0.0001, 100);
        if (p.Has("count") && p.Has("percent"))
        {
            d.Error(p.Location, "pick takes either count or percent, not both");
        }
        else if (!p.Has("count") && !p.Has("percent"))
        {
            d.Error(p.Location, "pick needs count or percent (or write pick: all)");
        }
        return new PickSpec((int?)count, percent, p.String("per"));
    }

    private static SafetySpec ReadSafety(MapReader top, DiagnosticBag d)
    {
        var s = MapReader.Of(top.Raw("safety"), d, "safety", SafetyKeys);
        if (s is null) return new SafetySpec();
        return new SafetySpec
        {
            MaxTargets = (int?)s.Integer("maxTargets", 0, 1_000_000),
            MaxPercent = s.Number("maxPercent", 0, 100),
            RequireTags = s.StringMap("requireTags") ?? new Dictionary<string, string>(),
            ExcludeTags = s.StringMap("excludeTags") ?? new Dictionary<string, string>(),
            AllowedRegions = s.StringList("allowedRegions"),
            AllowedAccounts = s.StringList("allowedAccounts"),
            Window = ReadWindow(s, d),
            MaxDuration = s.Duration("maxDuration", min: TimeSpan.FromSeconds(1)),
            RequireApproval = s.Boolean("requireApproval") ?? false,
        };
    }

    private static WindowSpec? ReadWindow(MapReader safety, DiagnosticBag d)
    {
        var w = MapReader.Of(safety.Raw("window"), d, "safety.window", WindowKeys);
        if (w is null) return null;
        var days = new List<DayOfWeek>();
        var dayNodes = w.Sequence("days");
        if (dayNodes is null)
        {
            days.AddRange([DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday]);
        }
        else
        {
            foreach (var item in dayNodes.Items)
            {
                var index = item is YScalar sc ? Array.IndexOf(DayNames, sc.Value.ToLowerInvariant()) : -1;
                if (index < 0)
                {
                    d.Error(item.Location, item is YScalar s2 ? DidYouMean.Unknown("day", s2.Value, DayNames) : "days must be names like mon, tue");
                    continue;
                }
                days.Add((DayOfWeek)((index + 1) % 7));
            }
        }
        var start = Time(w, "start", d);
        var end = Time(w, "end", d);
        var tz = w.String("timezone") ?? "UTC";
        try
        {
            TimeZoneInfo.FindSystemTimeZoneById(tz);
        }
        // A folder name such as "America" fails with SecurityException, not TimeZoneNotFoundException.
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or System.Security.SecurityException
                                      or ArgumentException or IOException or UnauthorizedAccessException)
        {
            d.Error(w.Raw("timezone")?.Location ?? w.Location, $"unknown time zone '{tz}' (use an IANA name such as Europe/Berlin)");
        }
        if (start is null || end is null) return null;
        if (start == end) d.Error(w.Location, "window start and end are the same time");
        return new WindowSpec(days, start.Value, end.Value, tz);
    }

    private static TimeOnly? Time(MapReader w, string key, DiagnosticBag d)
    {
        var text = w.String(key, required: true);
        if (text is null) return null;
        if (TimeOnly.TryParseExact(text, ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)) return t;
        d.Error(w.Raw(key)!.Location, $"'{key}' must be a time like \"09:00\", not '{text}'");
        return null;
    }

    private static SteadyStateSpec ReadSteadyState(MapReader top, DiagnosticBag d, string profilePath)
    {
        var s = MapReader.Of(top.Raw("steadyState"), d, "steadyState", SteadyKeys);
        if (s is null) return SteadyStateSpec.None;
        var interval = s.Duration("interval", min: TimeSpan.FromMilliseconds(100)) ?? TimeSpan.FromSeconds(2);
        var tolerance = (int?)s.Integer("tolerance", 1, 1000) ?? 2;
        var abort = s.Boolean("abortOnDeviation") ?? true;
        var probes = new List<ProbeSpec>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var workDir = Path.GetDirectoryName(Path.GetFullPath(profilePath)) ?? Directory.GetCurrentDirectory();
        foreach (var item in s.Sequence("probes")?.Items ?? [])
        {
            var p = MapReader.Of(item, d, "probe", ProbeKeys);
            if (p is null) continue;
            var name = p.String("name", required: true) ?? "?";
            if (!names.Add(name)) d.Error(p.LocationOf("name"), $"probe name '{name}' is used twice");
            var http = MapReader.Of(p.Raw("http"), d, $"probe '{name}' http", HttpKeys);
            var cmd = MapReader.Of(p.Raw("command"), d, $"probe '{name}' command", CommandKeys);
            if ((http is null) == (cmd is null))
            {
                d.Error(p.Location, $"probe '{name}' needs exactly one of http or command");
                continue;
            }
            if (http is not null)
            {
                var url = http.String("url", required: true) ?? "";
                if (url.Length > 0 && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
                {
                    d.Error(http.Raw("url")!.Location, $"'{Redaction.Url(url)}' is not an http(s) URL");
                }
                probes.Add(new HttpProbeSpec(
                    name, url,
                    (int?)http.Integer("expectStatus", 100, 599) ?? 200,
                    http.Duration("timeout", min: TimeSpan.FromMilliseconds(1)) ?? TimeSpan.FromSeconds(5),
                    http.Duration("maxLatency", min: TimeSpan.FromMilliseconds(1)),
                    http.Choice("method", ["GET", "HEAD", "POST"]) ?? "GET"));
            }
            else
            {
                var run = cmd!.String("run", required: true) ?? "";
                probes.Add(new CommandProbeSpec(
                    name, run,
                    (int?)cmd.Integer("expectExit", 0, 255) ?? 0,
                    cmd.Duration("timeout", min: TimeSpan.FromMilliseconds(1)) ?? TimeSpan.FromSeconds(10),
                    workDir));
            }
        }
        return new SteadyStateSpec(interval, tolerance, abort, probes);
    }

    private IReadOnlyList<MethodStep> ReadMethod(MapReader top, DiagnosticBag d, IReadOnlyList<TargetSpec> targets)
    {
        var steps = new List<MethodStep>();
        var seq = top.Sequence("method", required: true);
        if (seq is null) return steps;
        if (seq.Items.Count == 0) d.Error(seq.Location, "method has no steps");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var position = 0; position < seq.Items.Count; position++)
        {
            var item = seq.Items[position];
            if (item is YMapping group && group.Get("parallel") is not null)
            {
                var g = new MapReader(group, d, "parallel group", ParallelKeys);
                var inner = g.Sequence("parallel", required: true);
                if (inner is null) continue;
                if (inner.Items.Count < 2) d.Error(inner.Location, "a parallel group needs at least two steps (a single step needs no group)");
                foreach (var member in inner.Items)
                {
                    if (member is YMapping im && (im.Get("pause") is not null || im.Get("parallel") is not null))
                    {
                        d.Error(member.Location, "a parallel group holds fault steps only (each has its own duration); put pauses and other groups outside it");
                        continue;
                    }
                    if (ReadFaultStep(member, steps.Count, d, targets, names) is { } step) steps.Add(step with { Parallel = position });
                }
                continue;
            }
            var index = steps.Count;
            if (item is YMapping m && m.Get("pause") is not null)
            {
                var p = new MapReader(m, d, "pause step", PauseKeys);
                var pause = p.Duration("pause", required: true);
                if (pause is not null) steps.Add(new PauseStep(index, pause.Value, m.Location));
                continue;
            }
            if (ReadFaultStep(item, index, d, targets, names) is { } faultStep) steps.Add(faultStep);
        }
        return steps;
    }

    private FaultStep? ReadFaultStep(YNode item, int index, DiagnosticBag d, IReadOnlyList<TargetSpec> targets, HashSet<string> names)
    {
        var s = MapReader.Of(item, d, "method step", StepKeys);
        if (s is null) return null;
        var name = s.String("name") ?? $"step-{index + 1}";
        if (!names.Add(name)) d.Error(s.LocationOf("name"), $"step name '{name}' is used twice");
        var faultName = s.String("fault", required: true);
        var targetName = s.String("target", required: true);
        var parameters = s.Mapping("params") ?? new YMapping([], s.Location);
        var duration = s.Duration("duration", min: TimeSpan.FromMilliseconds(1));
        var irreversible = s.Choice("irreversible", ["allowed"]) == "allowed";
        if (faultName is null || targetName is null) return null;
        var target = targets.FirstOrDefault(t => t.Name == targetName);
        if (target is null)
        {
            d.Error(s.Raw("target")!.Location, targets.Count == 0
                ? $"step '{name}' names target '{targetName}' but the profile defines no targets"
                : DidYouMean.Unknown("target", targetName, targets.Select(t => t.Name).ToList()));
        }
        else if (registry.TargetType(target.Type) is { } type)
        {
            var fault = type.Faults.FirstOrDefault(f => f.Name == faultName);
            if (fault is null)
            {
                d.Error(s.Raw("fault")!.Location, DidYouMean.Unknown("fault", faultName, type.Faults.Select(f => f.Name).ToList(), $"for {type.Name}"));
            }
            else
            {
                fault.ValidateParams(parameters, d);
                if (fault.RequiresDuration && duration is null)
                {
                    d.Error(s.Location, $"step '{name}': fault '{faultName}' needs a duration");
                }
            }
        }
        return new FaultStep(index, name, faultName, targetName, parameters, duration, irreversible, s.Location);
    }

    /// <summary>The document as JSON with sorted keys: formatting and comments do not change the fingerprint.</summary>
    public static string Canonical(YNode root)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(writer, root);
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter w, YNode node)
    {
        switch (node)
        {
            case YScalar { IsNull: true }:
                w.WriteNullValue();
                break;
            case YScalar s:
                w.WriteStringValue(s.Value);
                break;
            case YSequence seq:
                w.WriteStartArray();
                foreach (var item in seq.Items) Write(w, item);
                w.WriteEndArray();
                break;
            case YMapping map:
                w.WriteStartObject();
                foreach (var e in map.Entries.OrderBy(e => e.Key.Value, StringComparer.Ordinal))
                {
                    w.WritePropertyName(e.Key.Value);
                    Write(w, e.Value);
                }
                w.WriteEndObject();
                break;
        }
    }

    /// <summary>Converts a parameter mapping to JSON for plans and journals.</summary>
    public static JsonObject ToJson(YMapping map) => (JsonObject)JsonNode.Parse(Canonical(map))!;
}
