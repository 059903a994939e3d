using System.Globalization;
using System.Text;
using System.Xml;
using Simian.Core.Journal;

namespace Simian.Cli.Output;

/// <summary>
/// JUnit XML for CI systems, read from a run's journal: one test suite per experiment, one test case per
/// steady-state check (before, during, after, per probe) and per fault and its rollback. A deviation is a
/// failure; a rollback that did not complete is an error.
/// </summary>
public static class JUnitReport
{
    private sealed record Case(string Name, string ClassName, double Seconds, string? Failure = null, string? Error = null, string? Skipped = null, string? Output = null);

    public static string Write(string journalPath)
    {
        var state = JournalState.Read(journalPath);
        var cases = new List<Case>();
        var suite = $"simian.{state.Experiment}";

        foreach (var phase in new[] { "before", "during", "after" })
        {
            var byProbe = state.All<ProbeChecked>().Where(p => p.Phase == phase).GroupBy(p => p.Probe);
            foreach (var group in byProbe)
            {
                var checks = group.ToList();
                var failed = checks.Where(c => !c.Ok).ToList();
                // The deviation names its probe; journals from before it did are matched by the probe's quoted name.
                var deviation = phase == "during"
                    ? state.All<NoteEvent>().FirstOrDefault(n => n.Kind == JournalEventNames.Deviation
                        && (n.Probe is { } probe ? probe == group.Key : n.Message.Contains($"'{group.Key}'", StringComparison.Ordinal)))
                    : null;
                string? failure = phase switch
                {
                    "during" when deviation is not null => deviation.Message,
                    "before" or "after" when failed.Count == checks.Count => $"the steady state did not hold {phase} the experiment: {failed[^1].Detail}",
                    _ => null,
                };
                var output = $"{checks.Count} check(s), {failed.Count} failed" + (failed.Count > 0 ? $"; last failure: {failed[^1].Detail}" : "");
                cases.Add(new Case($"steady state {phase}: {group.Key}", $"{suite}.steady-state", Seconds(checks), failure, Output: output));
            }
        }

        foreach (var change in state.Changes.Where(c => !c.IsHelper).OrderBy(c => c.Seq))
        {
            var what = $"{change.Step} ({change.Fault}) on {change.ResourceId}";
            cases.Add(new Case($"fault: {what}", $"{suite}.faults", 0,
                Error: change.ApplyError is null ? null : $"could not apply: {change.ApplyError}",
                Output: change.Applied ? "applied" : change.ApplyError is null ? "not confirmed applied" : null));
            if (!change.Reversible)
            {
                cases.Add(new Case($"rollback: {what}", $"{suite}.rollback", 0, Skipped: "irreversible: nothing to undo"));
            }
            else if (change.Undone)
            {
                cases.Add(new Case($"rollback: {what}", $"{suite}.rollback", 0, Output: $"undone by {change.UndoneBy}"));
            }
            else if (change.LeftReason is not null)
            {
                cases.Add(new Case($"rollback: {what}", $"{suite}.rollback", 0, Skipped: $"left in place ({change.LeftReason})"));
            }
            else
            {
                cases.Add(new Case($"rollback: {what}", $"{suite}.rollback", 0,
                    Error: $"NOT RESTORED{(change.LastError is null ? "" : $": {change.LastError}")}; run `simian recover --journal {journalPath}`"));
            }
        }

        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) };
        // Written as UTF-8 bytes so the declaration says utf-8 (a StringWriter would declare utf-16).
        var buffer = new MemoryStream();
        using (var w = XmlWriter.Create(buffer, settings))
        {
            var total = Seconds(state.Events);
            w.WriteStartElement("testsuites");
            w.WriteAttributeString("name", "simian");
            w.WriteAttributeString("tests", cases.Count.ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("failures", cases.Count(c => c.Failure is not null).ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("errors", cases.Count(c => c.Error is not null).ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("time", total.ToString("0.###", CultureInfo.InvariantCulture));
            w.WriteStartElement("testsuite");
            w.WriteAttributeString("name", suite);
            w.WriteAttributeString("tests", cases.Count.ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("failures", cases.Count(c => c.Failure is not null).ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("errors", cases.Count(c => c.Error is not null).ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("skipped", cases.Count(c => c.Skipped is not null).ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("time", total.ToString("0.###", CultureInfo.InvariantCulture));
            if (state.StartedAt is { } started) w.WriteAttributeString("timestamp", started.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
            w.WriteAttributeString("hostname", "localhost");
            w.WriteStartElement("properties");
            Property(w, "runId", state.RunId);
            Property(w, "fingerprint", state.Fingerprint);
            Property(w, "status", state.Status ?? "unfinished");
            Property(w, "journal", journalPath);
            w.WriteEndElement();
            foreach (var c in cases)
            {
                w.WriteStartElement("testcase");
                w.WriteAttributeString("name", c.Name);
                w.WriteAttributeString("classname", c.ClassName);
                w.WriteAttributeString("time", c.Seconds.ToString("0.###", CultureInfo.InvariantCulture));
                if (c.Skipped is not null) Element(w, "skipped", c.Skipped);
                if (c.Error is not null) Element(w, "error", c.Error, "rollback");
                if (c.Failure is not null) Element(w, "failure", c.Failure, "deviation");
                if (c.Output is not null) w.WriteElementString("system-out", c.Output);
                w.WriteEndElement();
            }
            w.WriteEndElement();
            w.WriteEndElement();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Property(XmlWriter w, string name, string value)
    {
        w.WriteStartElement("property");
        w.WriteAttributeString("name", name);
        w.WriteAttributeString("value", value);
        w.WriteEndElement();
    }

    private static void Element(XmlWriter w, string name, string message, string? type = null)
    {
        w.WriteStartElement(name);
        w.WriteAttributeString("message", message);
        if (type is not null) w.WriteAttributeString("type", type);
        w.WriteString(message);
        w.WriteEndElement();
    }

    private static double Seconds(IEnumerable<JournalEvent> events)
    {
        var times = events.Where(e => e.At is not null).Select(e => e.At!.Value).ToList();
        return times.Count < 2 ? 0 : (times.Max() - times.Min()).TotalSeconds;
    }
}
