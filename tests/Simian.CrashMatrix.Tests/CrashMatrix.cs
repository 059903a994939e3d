using System.Diagnostics;
using System.Text;
using Simian.Core;
using Simian.CrashMatrix.Tests.Support;
using Xunit.Abstractions;

namespace Simian.CrashMatrix.Tests;

/// <summary>
/// Runs the crash matrix: a reference run to learn the journal lines a full run writes, then one fresh world and
/// one SIGKILL per crash point, `recover` twice, and a report of where each kill actually landed.
/// </summary>
public static class CrashMatrix
{
    public sealed record Point(int Target, string TargetLine, int AtDeath, string DeathLine, int Round, List<string> Failures, TimeSpan Took, string Phases = "");

    /// <summary>A change (or its undo) the world must show before the kill.</summary>
    public sealed record Change(string Fault, bool Undo);

    public sealed record Result(int Points, int Restored, List<string> Failures, string Report);

    public static async Task<Result> RunAsync(WorldOptions options, string hold, int rounds, Func<string, bool>? filter, ITestOutputHelper output)
    {
        var total = Stopwatch.StartNew();
        var reference = await ReferenceRunAsync(options, hold);
        // Every line up to and including rollback's last `undone`; `finished` after it has nothing left to lose.
        var n = reference.FindLastIndex(l => l.StartsWith("undone", StringComparison.Ordinal)) + 1;
        Assert.True(n > 0, "the reference run undid nothing:\n" + string.Join("\n", reference));
        var faults = reference.Select(l => l.Split(' ')).Where(w => w is ["intent", _, _]).ToDictionary(w => w[1], w => w[2]);
        var targets = new List<(int Lines, string Label, Change? Change)>();
        foreach (var k in Enumerable.Range(1, n).Where(k => filter is null || filter(reference[k - 1])))
        {
            var words = reference[k - 1].Split(' ');
            // Between an undo and its `undone`, the undo itself may or may not have been done: aim a kill at the
            // moment the world shows it, before the run hears back and journals it.
            if (words is ["undone", var undoneSeq]) targets.Add((k - 1, $"{reference[k - 2]}, then {faults[undoneSeq]} undone", new Change(faults[undoneSeq], Undo: true)));
            targets.Add((k, reference[k - 1], null));
            // The same between an intent and its `applied`: the change is made but not yet journaled as applied.
            if (words is ["intent", _, var fault]) targets.Add((k, $"{reference[k - 1]}, then {fault} made", new Change(fault, Undo: false)));
        }
        var points = new List<Point>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var (k, label, change) in targets)
            {
                var point = await CrashAtAsync(options, hold, k, label, change, round);
                points.Add(point);
                output.WriteLine(Line(point));
            }
        }
        var failures = points.Where(p => p.Failures.Count > 0).Select(p => Line(p) + "\n    " + string.Join("\n    ", p.Failures)).ToList();
        var report = new StringBuilder();
        report.AppendLine($"reference run ({reference.Count} lines): {string.Join(" | ", reference.Select((l, i) => $"{i + 1} {l}"))}");
        report.AppendLine($"crash points: {points.Count} ({targets.Count} points x {rounds} round(s)), restored: {points.Count(p => p.Failures.Count == 0)}, in {total.Elapsed.TotalSeconds:0.0}s");
        report.AppendLine("lines at death minus lines aimed at: " + string.Join(", ",
            points.GroupBy(p => p.AtDeath - p.Target).OrderBy(g => g.Key).Select(g => $"+{g.Key}: {g.Count()}")));
        foreach (var f in failures) report.AppendLine("FAILED " + f);
        output.WriteLine(report.ToString());
        return new Result(points.Count, points.Count(p => p.Failures.Count == 0), failures, report.ToString());
    }

    private static string Line(Point p) =>
        $"[{p.Round}] kill after line {p.Target,2} ({p.TargetLine}): died with {p.AtDeath,2} lines (last: {p.DeathLine}); "
        + (p.Failures.Count == 0 ? "restored" : "NOT RESTORED") + $" in {p.Took.TotalSeconds:0.0}s ({p.Phases})";

    /// <summary>A run left alone, to learn the journal lines a full run writes.</summary>
    private static async Task<List<string>> ReferenceRunAsync(WorldOptions options, string hold)
    {
        await using var world = await ChaosWorld.StartAsync(options);
        var profile = world.WriteProfile("crash-matrix", hold, ChaosWorld.EveryFault);
        var journal = Path.Combine(world.Dir, "reference.jsonl");
        using var run = world.StartRun(profile, journal);
        var exit = await run.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == ExitCodes.Ok, $"reference run: exit {exit}\n{run}");
        Assert.Empty(await world.ProblemsAsync());
        return JournalWatch.Read(journal).Select(JournalWatch.Describe).ToList();
    }

    private static async Task<Point> CrashAtAsync(WorldOptions options, string hold, int k, string targetLine, Change? change, int round)
    {
        var took = Stopwatch.StartNew();
        var failures = new List<string>();
        var phases = new List<string>();
        void Phase(string name) => phases.Add($"{name} {took.Elapsed.TotalSeconds:0.0}s");
        await using var world = await ChaosWorld.StartAsync(options);
        Phase("world");
        var profile = world.WriteProfile("crash-matrix", hold, ChaosWorld.EveryFault);
        var journal = Path.Combine(world.Dir, $"crash-{k}.jsonl");
        int atDeath;
        string deathLine;
        using (var watch = new JournalWatch(journal))
        using (var run = world.StartRun(profile, journal))
        {
            void Kill()
            {
                try { run.Signal(9); } catch (InvalidOperationException) { }
            }
            var seen = await watch.WhenLinesAsync(k, () => run.Process.HasExited, TimeSpan.FromSeconds(60), () =>
            {
                if (change is null)
                {
                    Kill();
                    return;
                }
                try
                {
                    world.WhenChanged(change.Fault, change.Undo, TimeSpan.FromSeconds(30), Kill);
                }
                catch (TimeoutException e)
                {
                    Kill();
                    lock (failures) failures.Add(e.Message);
                }
            });
            var exit = await run.WaitAsync(TimeSpan.FromSeconds(10));
            if (seen < 0) failures.Add($"the run exited ({exit}) before writing {k} lines\n{run}");
            var lines = JournalWatch.Read(journal).Select(JournalWatch.Describe).ToList();
            atDeath = lines.Count;
            deathLine = lines.Count > 0 ? lines[^1] : "(none)";
            // Aimed at the last undo, a kill can land after `finished`, when the run may already be on its way out.
            var finished = deathLine.StartsWith("finished", StringComparison.Ordinal);
            if (exit != 128 + 9 && seen >= 0 && !finished) failures.Add($"expected death by SIGKILL (exit 137), got exit {exit}");
        }
        Phase("killed");
        // A request the run sent just before dying may still be in flight to the sandbox or the proxy; recover
        // runs later than that in real life (a person types it), so wait for loopback to settle first.
        await world.SettleAsync();

        var recover = await world.RecoverAsync(journal);
        if (recover.ExitCode != ExitCodes.Ok) failures.Add($"recover: {recover}");
        Phase("recovered");
        failures.AddRange(await world.ProblemsAsync());
        var after = await world.SnapshotAsync();

        var again = await world.RecoverAsync(journal);
        if (again.ExitCode != ExitCodes.Ok || !again.Stdout.Contains("nothing to recover", StringComparison.Ordinal))
        {
            failures.Add($"second recover did something: {again}");
        }
        var afterAgain = await world.SnapshotAsync();
        if (afterAgain.ToString() != after.ToString() || afterAgain.Policy != after.Policy) failures.Add($"second recover changed the world: {after} -> {afterAgain}");
        return new Point(k, targetLine, atDeath, deathLine, round, failures, took.Elapsed, string.Join(", ", phases));
    }
}
