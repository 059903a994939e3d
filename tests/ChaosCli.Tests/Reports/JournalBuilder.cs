using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Simian.Cli.Tests.Reports;

/// <summary>Writes journal lines the way JournalWriter does, at chosen seconds from a fixed start, for report tests.</summary>
public sealed class JournalBuilder
{
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    private readonly StringBuilder _text = new();
    private double _seconds;

    /// <summary>Moves the clock: following events are written this many seconds after <see cref="Start"/>.</summary>
    public JournalBuilder At(double seconds)
    {
        _seconds = seconds;
        return this;
    }

    public JournalBuilder Started(string experiment = "checkout-latency", string runId = "0a1b2c3d4e5f", bool dryRun = false) =>
        Event("started", w =>
        {
            w.WriteString("runId", runId);
            w.WriteString("experiment", experiment);
            w.WriteString("profile", $"profiles/{experiment}.yaml");
            w.WriteString("fingerprint", "sha256:5f2b0c9e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c");
            w.WriteNumber("pid", 4242);
            w.WriteBoolean("dryRun", dryRun);
        });

    public JournalBuilder Probe(string phase, string probe, bool ok, double latencyMs, string? detail = null) =>
        Event("probe", w =>
        {
            w.WriteString("phase", phase);
            w.WriteString("probe", probe);
            w.WriteBoolean("ok", ok);
            w.WriteNumber("latencyMs", latencyMs);
            w.WriteString("detail", detail ?? (ok ? $"status 200 in {latencyMs:0}ms" : $"status 200 but took {latencyMs:0}ms, more than 300ms"));
        });

    public JournalBuilder Step(string phase, int index, string name) =>
        Event("step", w =>
        {
            w.WriteString("phase", phase);
            w.WriteNumber("index", index);
            w.WriteString("name", name);
        });

    public JournalBuilder Intent(int seq, string step, string resourceId, string fault = "latency", string target = "api",
        string targetType = "local:proxy", string? label = null, bool reversible = true) =>
        Event("intent", w =>
        {
            w.WriteNumber("seq", seq);
            w.WriteString("step", step);
            w.WriteString("fault", fault);
            w.WriteString("targetType", targetType);
            w.WriteString("target", target);
            w.WriteStartObject("resource");
            w.WriteString("id", resourceId);
            if (label is not null) w.WriteString("label", label);
            w.WriteStartObject("attributes");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteBoolean("reversible", reversible);
            w.WriteStartObject("settings");
            w.WriteEndObject();
            w.WriteStartObject("undo");
            w.WriteString("proxy", resourceId);
            w.WriteEndObject();
        });

    public JournalBuilder Applied(int seq) => Event("applied", w => w.WriteNumber("seq", seq));

    public JournalBuilder ApplyFailed(int seq, string error) => Event("apply-failed", w =>
    {
        w.WriteNumber("seq", seq);
        w.WriteString("error", error);
    });

    public JournalBuilder Undone(int seq, string by, string outcome = "restored") => Event("undone", w =>
    {
        w.WriteNumber("seq", seq);
        w.WriteString("by", by);
        w.WriteString("outcome", outcome);
    });

    public JournalBuilder UndoFailed(int seq, string error) => Event("undo-failed", w =>
    {
        w.WriteNumber("seq", seq);
        w.WriteString("error", error);
    });

    public JournalBuilder Left(int seq, string reason) => Event("left", w =>
    {
        w.WriteNumber("seq", seq);
        w.WriteString("reason", reason);
    });

    /// <summary>deviation, rollback, would-apply, recovered: the events that carry one message.</summary>
    public JournalBuilder Note(string kind, string message) => Event(kind, w => w.WriteString("message", message));

    public JournalBuilder Finished(string status, int exitCode, string summary) => Event("finished", w =>
    {
        w.WriteString("status", status);
        w.WriteNumber("exitCode", exitCode);
        w.WriteString("summary", summary);
    });

    /// <summary>Appends text as is, for torn and foreign lines (no newline added).</summary>
    public JournalBuilder Raw(string text)
    {
        _text.Append(text);
        return this;
    }

    public string Text => _text.ToString();

    public string WriteTo(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, Text);
        return path;
    }

    private JournalBuilder Event(string kind, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("event", kind);
            w.WriteString("at", Start.AddSeconds(_seconds).ToString("O", CultureInfo.InvariantCulture));
            body(w);
            w.WriteEndObject();
        }
        _text.Append(Encoding.UTF8.GetString(buffer.ToArray())).Append('\n');
        return this;
    }
}
