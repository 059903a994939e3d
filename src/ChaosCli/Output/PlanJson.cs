using System.Text.Json;
using Simian.Core;
using Simian.Core.Planning;
using Simian.Core.Platform;
using Simian.Core.Profiles;
using Simian.Core.Providers;

namespace Simian.Cli.Output;

/// <summary>The plan as one JSON object (<c>plan --output json</c>, <c>--out</c>), and reading one back for <c>run --plan</c>.</summary>
public static class PlanJson
{
    public static string Write(Plan plan) => Json.Write(w => WriteObject(w, plan));

    /// <summary>Streams the plan: at fleet scale its excluded list alone is megabytes.</summary>
    public static void Write(TextWriter output, Plan plan) => Json.Write(output, w => WriteObject(w, plan));

    /// <inheritdoc cref="Write(TextWriter, Plan)"/>
    public static void Write(Stream output, Plan plan) => Json.Write(output, w => WriteObject(w, plan));

    public static void WriteObject(Utf8JsonWriter w, Plan plan)
    {
        var e = plan.Experiment;
        w.WriteStartObject();
        w.WriteString("experiment", e.Name);
        w.WriteString("profile", e.SourcePath);
        w.WriteString("fingerprint", plan.Fingerprint);
        w.WriteString("simianVersion", Simian.Core.SimianVersion.Text);
        w.WriteNumber("seed", plan.Seed);
        w.WriteStartObject("parameters");
        foreach (var p in e.Parameters)
        {
            w.WriteStartObject(p.Name);
            w.WriteString("value", p.Value);
            w.WriteString("source", p.Source);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteString("createdAt", plan.CreatedAt.ToString("O"));
        w.WriteBoolean("allowed", plan.Allowed);
        w.WriteStartArray("targets");
        foreach (var t in plan.Targets)
        {
            w.WriteStartObject();
            w.WriteString("name", t.Name);
            w.WriteString("type", t.Type);
            w.WriteString("pick", t.Pick.ToString());
            w.WriteNumber("matched", t.Matched);
            w.WriteStartArray("selected");
            foreach (var r in t.Selected)
            {
                w.WriteStringValue(r.Id);
                Json.FlushIfFull(w);
            }
            w.WriteEndArray();
            w.WriteStartArray("excluded");
            foreach (var x in t.Excluded)
            {
                w.WriteStartObject();
                w.WriteString("id", x.Id);
                w.WriteString("reason", x.Reason);
                w.WriteEndObject();
                Json.FlushIfFull(w);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("method");
        foreach (var s in plan.Method)
        {
            w.WriteStartObject();
            w.WriteNumber("index", s.Step.Index + 1);
            w.WriteString("name", s.Step.Name);
            if (s.Step is PauseStep p)
            {
                w.WriteString("pause", Duration.Format(p.PauseFor));
            }
            else
            {
                w.WriteString("fault", s.Fault);
                w.WriteString("target", s.Target);
                if (s.Step.Duration is { } d) w.WriteString("duration", Duration.Format(d));
                else w.WriteNull("duration");
                w.WriteBoolean("reversible", s.Reversible);
                if (s.ExpiresOnItsOwn is { } expiry) w.WriteString("expiresOnItsOwn", expiry);
                else w.WriteNull("expiresOnItsOwn");
                w.WriteString("description", s.Description);
                w.WriteStartArray("checks");
                foreach (var check in s.Checks)
                {
                    w.WriteStartObject();
                    w.WriteString("verdict", PreflightNote.Name(check.Verdict));
                    w.WriteString("text", check.Text);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("resources");
                foreach (var id in s.ResourceIds)
                {
                    w.WriteStringValue(id);
                    Json.FlushIfFull(w);
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("probes");
        foreach (var probe in e.SteadyState.Probes)
        {
            w.WriteStartObject();
            w.WriteString("name", probe.Name);
            w.WriteString("kind", probe is HttpProbeSpec ? "http" : "command");
            w.WriteString("description", probe.Describe());
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("helpers");
        foreach (var h in plan.Helpers)
        {
            w.WriteStartObject();
            w.WriteString("provider", h.Provider);
            w.WriteString("name", h.Name);
            w.WriteString("run", h.Command);
            if (h.Note is null) w.WriteNull("note"); else w.WriteString("note", h.Note);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("rollback", e.Rollback switch { RollbackMode.OnDeviation => "on-deviation", RollbackMode.Never => "never", _ => "always" });
        w.WriteStartArray("guard");
        foreach (var g in plan.Guard)
        {
            w.WriteStartObject();
            w.WriteString("check", g.Check);
            w.WriteBoolean("passed", g.Passed);
            w.WriteString("detail", g.Detail);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>
    /// What <c>run --plan</c> needs from an approved plan file: its fingerprint and seed, and what it shows a
    /// reviewer (the experiment and, per <see cref="Selection"/>, what is hit), which must match a fresh plan too.
    /// </summary>
    public sealed record Approved(string Fingerprint, long Seed, string Experiment, IReadOnlyList<string> Selection);

    /// <summary>
    /// What a plan hits, one line per target and per fault step, as a plan file lists it. The fingerprint covers
    /// the selection but a reviewer reads the lists: a file whose lists were edited must not pass for approved.
    /// </summary>
    public static IReadOnlyList<string> Selection(Plan plan) =>
    [
        .. plan.Targets.Select(t => $"target {t.Name}: {string.Join(',', t.Selected.Select(r => r.Id))}"),
        .. plan.Method.Where(s => s.Step is not PauseStep).Select(s => $"step {s.Step.Index + 1}: {string.Join(',', s.ResourceIds)}"),
    ];

    private static List<string> Selection(JsonElement root)
    {
        var lines = new List<string>();
        if (root.TryGetProperty("targets", out var targets) && targets.ValueKind == JsonValueKind.Array)
        {
            foreach (var t in targets.EnumerateArray())
            {
                lines.Add($"target {Text(t, "name")}: {string.Join(',', Texts(t, "selected"))}");
            }
        }
        if (root.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.Array)
        {
            foreach (var s in method.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object && !s.TryGetProperty("pause", out _)))
            {
                var index = s.TryGetProperty("index", out var i) && i.TryGetInt32(out var n) ? n : 0;
                lines.Add($"step {index}: {string.Join(',', Texts(s, "resources"))}");
            }
        }
        return lines;
    }

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static IEnumerable<string?> Texts(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() : x.GetRawText())
            : [];

    public static Approved Read(string path)
    {
        string text;
        try
        {
            Posix.RequireRegularFile(path, "plan file");
            text = Simian.Shared.BoundedRead.Text(path, 256 * 1024 * 1024, "plan file");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"cannot read plan file {path}: {ex.Message}");
        }
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("fingerprint", out var fp) || fp.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("seed", out var seed) || !seed.TryGetInt64(out var seedValue)
                || !root.TryGetProperty("experiment", out var name) || name.ValueKind != JsonValueKind.String)
            {
                throw new InvalidInputException($"{path} is not a simian plan (it needs experiment, fingerprint and seed; write one with `simian plan --out`)");
            }
            return new Approved(fp.GetString()!, seedValue, name.GetString()!, Selection(root));
        }
        catch (JsonException ex)
        {
            throw new InvalidInputException($"{path}:{ex.LineNumber + 1}:{ex.BytePositionInLine + 1}: error: plan file is not valid JSON");
        }
    }
}
