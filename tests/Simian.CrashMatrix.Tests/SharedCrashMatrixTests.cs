using System.Diagnostics;
using Simian.Core;
using Simian.CrashMatrix.Tests.Support;
using Xunit.Abstractions;

namespace Simian.CrashMatrix.Tests;

/// <summary>
/// The crash matrix over the shared journal: a run with <c>--state s3://…</c> that stops an instance and denies a
/// bucket is killed with SIGKILL right after each of its writes to the shared journal in turn; then
/// <c>simian recover --state …</c> from another state folder — a machine that never saw the run — must put
/// everything back from the shared journal alone, leave no unfinished run or lock behind, and a second recover must
/// find nothing to do. Cloud faults only: a local fault (a process, a loopback proxy) is not another machine's to undo.
/// </summary>
[Collection(Serial.Name)]
public sealed class SharedCrashMatrixTests(ITestOutputHelper output)
{
    private static readonly string[] Faults = ["stop", "deny"];

    [Fact]
    public async Task Killed_after_every_shared_journal_write_recover_from_another_machine_restores_everything()
    {
        var options = new WorldOptions { SharedState = true, LinkDelay = TimeSpan.FromMilliseconds(25) };
        int total;
        await using (var world = await ChaosWorld.StartAsync(options))
        {
            var profile = world.WriteProfile("shared-matrix", "1s", Faults);
            using var run = world.StartRun(profile, Path.Combine(world.Dir, "reference.jsonl"));
            var exit = await run.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(exit == ExitCodes.Ok, $"reference run: exit {exit}\n{run}");
            Assert.Empty(await world.ProblemsAsync());
            Assert.Empty(world.SharedKeys("active/"));
            Assert.Empty(world.SharedKeys("locks/"));
            // Every local line has its shared copy.
            total = world.SharedLines();
            Assert.Equal(File.ReadAllLines(Path.Combine(world.Dir, "reference.jsonl")).Length, total);
        }

        var failures = new List<string>();
        // Up to the last line before `finished`: after it there is nothing left to lose.
        for (var k = 1; k < total; k++)
        {
            var took = Stopwatch.StartNew();
            await using var world = await ChaosWorld.StartAsync(options);
            var profile = world.WriteProfile("shared-matrix", "1s", Faults);
            var journal = Path.Combine(world.Dir, $"crash-{k}.jsonl");
            int atDeath;
            using (var run = world.StartRun(profile, journal))
            {
                // Watched from outside, as another machine would see it: the shared journal's objects in the bucket.
                await Wait.UntilAsync(() => world.SharedLines() >= k || run.Process.HasExited, TimeSpan.FromSeconds(60), () => $"shared line {k}\n{run}");
                try { run.Signal(9); } catch (InvalidOperationException) { }
                await run.WaitAsync(TimeSpan.FromSeconds(10));
                atDeath = world.SharedLines();
            }
            await world.SettleAsync();
            var elsewhere = Directory.CreateTempSubdirectory("simian-elsewhere-").FullName;
            try
            {
                var problems = new List<string>();
                var recover = await world.RecoverElsewhereAsync(elsewhere);
                if (recover.ExitCode != ExitCodes.Ok) problems.Add($"recover: {recover}");
                problems.AddRange(await world.ProblemsAsync());
                if (world.SharedKeys("active/").Count > 0) problems.Add($"still listed as unfinished: {string.Join(", ", world.SharedKeys("active/"))}");
                if (world.SharedKeys("locks/").Count > 0) problems.Add($"locks left: {string.Join(", ", world.SharedKeys("locks/"))}");
                var again = await world.RecoverElsewhereAsync(elsewhere);
                if (again.ExitCode != ExitCodes.Ok || !again.Stdout.Contains("nothing to recover", StringComparison.Ordinal)) problems.Add($"second recover did something: {again}");
                var line = $"kill after shared line {k,2}/{total}: died with {atDeath} shared lines; {(problems.Count == 0 ? "restored" : "NOT RESTORED")} in {took.Elapsed.TotalSeconds:0.0}s";
                output.WriteLine(line);
                if (problems.Count > 0) failures.Add(line + "\n    " + string.Join("\n    ", problems));
            }
            finally
            {
                Directory.Delete(elsewhere, recursive: true);
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
