using System.Text.Json.Nodes;
using Simian.Core.Journal;
using Simian.Core.Providers;

namespace Simian.Cli.Tests.Reports;

/// <summary>
/// Writes a journal through the real <see cref="JournalWriter"/>, at chosen seconds from a fixed start, for report
/// tests: what a report reads is exactly what a run writes.
/// </summary>
public sealed class JournalBuilder
{
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    private readonly Clock _clock = new() { Now = Start };
    private string? _dir;
    private JournalWriter? _writer;
    /// <summary>The journal's text once the writer is closed (the temporary file is gone by then).</summary>
    private string? _text;

    private JournalWriter Writer
    {
        get
        {
            if (_text is not null) throw new InvalidOperationException("the journal is closed (Raw or Text ends it): write events before");
            _dir ??= Directory.CreateTempSubdirectory("simian-journal-").FullName;
            return _writer ??= JournalWriter.Create(Path.Combine(_dir, "run.jsonl"), _clock);
        }
    }

    /// <summary>Moves the clock: following events are written this many seconds after <see cref="Start"/>.</summary>
    public JournalBuilder At(double seconds)
    {
        _clock.Now = Start.AddSeconds(seconds);
        return this;
    }

    /// <summary>The probes' maxLatency the sample runs were written with, as a run's `started` line records them.</summary>
    private static readonly (string Probe, double Ms)[] Limits = [("api-fast", 300), ("checkout", 300), ("checkout-p95", 330)];

    public JournalBuilder Started(string experiment = "checkout-latency", string runId = "0a1b2c3d4e5f", bool dryRun = false) =>
        Do(w => w.Started(runId, experiment, $"profiles/{experiment}.yaml",
            "sha256:5f2b0c9e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c", dryRun,
            new JsonObject
            {
                ["steadyState"] = new JsonObject
                {
                    ["probes"] = new JsonArray(Limits.Select(l => (JsonNode)new JsonObject { ["name"] = l.Probe, ["kind"] = "http", ["maxLatencyMs"] = l.Ms }).ToArray()),
                },
            }, pid: 4242));

    public JournalBuilder Probe(string phase, string probe, bool ok, double latencyMs, string? detail = null) =>
        Do(w => w.Probe(phase, probe, ok, latencyMs, detail ?? (ok ? $"status 200 in {latencyMs:0}ms" : $"status 200 but took {latencyMs:0}ms, more than 300ms")));

    public JournalBuilder Step(string phase, int index, string name) => Do(w => w.Step(phase, index, name));

    /// <summary>Journals a change; <paramref name="seq"/> must be the next sequence number, as the writer numbers them.</summary>
    public JournalBuilder Intent(int seq, string step, string resourceId, string fault = "latency", string target = "api",
        string targetType = "local:proxy", string? label = null, bool reversible = true) =>
        Do(w =>
        {
            var written = w.Intent(step, fault, targetType, target, new Resource { Id = resourceId, Label = label }, reversible,
                new Dictionary<string, string>(), new JsonObject { ["proxy"] = resourceId });
            if (written != seq) throw new InvalidOperationException($"the writer numbered this change {written}, not {seq}");
        });

    public JournalBuilder Applied(int seq) => Do(w => w.Applied(seq));

    public JournalBuilder ApplyFailed(int seq, string error) => Do(w => w.ApplyFailed(seq, error));

    public JournalBuilder Undone(int seq, string by, string outcome = "restored") =>
        Do(w => w.Undone(seq, by, outcome switch
        {
            "restored" => UndoOutcome.Restored,
            "nothing-to-undo" => UndoOutcome.NothingToUndo,
            _ => throw new ArgumentException($"the writer writes no outcome '{outcome}'", nameof(outcome)),
        }));

    public JournalBuilder UndoFailed(int seq, string error) => Do(w => w.UndoFailed(seq, error));

    public JournalBuilder Left(int seq, string reason) => Do(w => w.Left(seq, reason));

    /// <summary>rollback, would-apply, recovered: the events that carry one message.</summary>
    public JournalBuilder Note(string kind, string message) => Do(w => w.Note(kind, message));

    /// <summary>A deviation, naming its probe as the steady-state monitor does.</summary>
    public JournalBuilder Deviation(string probe, string message) => Do(w => w.Deviation(probe, message));

    public JournalBuilder Finished(string status, int exitCode, string summary) => Do(w => w.Finished(status, exitCode, summary));

    /// <summary>Appends text as is after the last event, for torn and foreign lines (no newline added). Ends the journal.</summary>
    public JournalBuilder Raw(string text)
    {
        _text = Close() + text;
        return this;
    }

    public string Text => _text ??= Close();

    public string WriteTo(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, Text);
        return path;
    }

    /// <summary>Closes the writer and returns what it wrote (removing its temporary folder).</summary>
    private string Close()
    {
        if (_text is not null) return _text;
        _writer?.Dispose();
        _writer = null;
        if (_dir is null) return "";
        var text = File.ReadAllText(Path.Combine(_dir, "run.jsonl"));
        Directory.Delete(_dir, recursive: true);
        return text;
    }

    private JournalBuilder Do(Action<JournalWriter> write)
    {
        write(Writer);
        return this;
    }

    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
