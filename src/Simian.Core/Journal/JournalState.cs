using System.Text.Json;
using System.Text.Json.Nodes;

namespace Simian.Core.Journal;

/// <summary>A journal read back: the run's identity, every recorded change and what became of it.</summary>
public sealed class JournalState
{
    public required string Path { get; init; }
    public string RunId { get; set; } = "";
    public string Experiment { get; set; } = "";
    public string Fingerprint { get; set; } = "";
    public int Pid { get; set; }
    public bool DryRun { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public string? Status { get; set; }
    public List<JournalChange> Changes { get; } = [];
    public List<JsonObject> Events { get; } = [];
    /// <summary>Lines that could not be parsed (a torn final write).</summary>
    public int BadLines { get; set; }

    /// <summary>Reversible changes that were (or may have been) made and are not yet undone, newest first.</summary>
    public IReadOnlyList<JournalChange> Pending =>
        Changes.Where(c => c.Reversible && !c.Undone && !c.NotApplied).OrderByDescending(c => c.Seq).ToList();

    public static JournalState Read(string path)
    {
        var state = new JournalState { Path = path };
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0) continue;
            JsonObject? e;
            try
            {
                e = JsonNode.Parse(line) as JsonObject;
            }
            catch (JsonException)
            {
                state.BadLines++;
                continue;
            }
            if (e is null) { state.BadLines++; continue; }
            state.Apply(e);
        }
        return state;
    }

    private void Apply(JsonObject e)
    {
        Events.Add(e);
        var kind = (string?)e["event"];
        var seq = e["seq"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : 0;
        switch (kind)
        {
            case "started":
                RunId = (string?)e["runId"] ?? "";
                Experiment = (string?)e["experiment"] ?? "";
                Fingerprint = (string?)e["fingerprint"] ?? "";
                Pid = e["pid"] is JsonValue p && p.TryGetValue<int>(out var pid) ? pid : 0;
                DryRun = e["dryRun"] is JsonValue d && d.TryGetValue<bool>(out var dry) && dry;
                StartedAt = DateTimeOffset.TryParse((string?)e["at"], out var at) ? at : null;
                break;
            case "intent":
                var resource = e["resource"] as JsonObject;
                Changes.Add(new JournalChange
                {
                    Seq = seq,
                    Step = (string?)e["step"] ?? "",
                    Fault = (string?)e["fault"] ?? "",
                    TargetType = (string?)e["targetType"] ?? "",
                    Target = (string?)e["target"] ?? "",
                    ResourceId = (string?)resource?["id"] ?? "",
                    ResourceLabel = (string?)resource?["label"],
                    ResourceAttributes = Strings(resource?["attributes"] as JsonObject),
                    Reversible = e["reversible"] is JsonValue r && r.TryGetValue<bool>(out var rev) && rev,
                    Settings = Strings(e["settings"] as JsonObject),
                    Undo = (e["undo"] as JsonObject)?.DeepClone() as JsonObject ?? new JsonObject(),
                });
                break;
            case "applied":
                Find(seq)?.MarkApplied();
                break;
            case "apply-failed":
                Find(seq)?.MarkApplyFailed((string?)e["error"], e["notApplied"] is JsonValue na && na.TryGetValue<bool>(out var notApplied) && notApplied);
                break;
            case "undone":
                Find(seq)?.MarkUndone((string?)e["by"] ?? "");
                break;
            case "undo-failed":
                Find(seq)?.MarkUndoFailed((string?)e["error"] ?? "");
                break;
            case "left":
                Find(seq)?.MarkLeft((string?)e["reason"] ?? "");
                break;
            case "finished":
                Status = (string?)e["status"];
                break;
        }
    }

    private JournalChange? Find(int seq) => Changes.FirstOrDefault(c => c.Seq == seq);

    private static Dictionary<string, string> Strings(JsonObject? o)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        if (o is null) return d;
        foreach (var (k, v) in o)
        {
            if (v is JsonValue value && value.TryGetValue<string>(out var s)) d[k] = s;
        }
        return d;
    }
}

/// <summary>One journaled change.</summary>
public sealed class JournalChange
{
    public int Seq { get; init; }
    public required string Step { get; init; }
    public required string Fault { get; init; }
    public required string TargetType { get; init; }
    public required string Target { get; init; }
    public required string ResourceId { get; init; }
    public string? ResourceLabel { get; init; }
    public required IReadOnlyDictionary<string, string> ResourceAttributes { get; init; }
    public bool Reversible { get; init; }
    public required IReadOnlyDictionary<string, string> Settings { get; init; }
    public required JsonObject Undo { get; init; }
    public bool Applied { get; private set; }
    /// <summary>A helper the run started (a service), not a fault: stopped by rollback and recover, not reported as a fault.</summary>
    public bool IsHelper => Step == JournalWriter.HelpersStep;
    public bool Undone { get; private set; }
    public string? UndoneBy { get; private set; }
    public string? LastError { get; private set; }
    public string? LeftReason { get; private set; }

    internal void MarkApplied() => Applied = true;
    /// <summary>The fault reported that its apply certainly changed nothing (e.g. the OS refused a signal).</summary>
    public bool NotApplied { get; private set; }

    internal void MarkApplyFailed(string? error, bool notApplied) { LastError = error; NotApplied = notApplied; }
    internal void MarkUndone(string by) { Undone = true; UndoneBy = by; }
    internal void MarkUndoFailed(string error) => LastError = error;
    internal void MarkLeft(string reason) => LeftReason = reason;
}
