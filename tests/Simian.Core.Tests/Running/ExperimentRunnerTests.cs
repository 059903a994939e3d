using Simian.Core.Journal;
using Simian.Core.Profiles;
using Simian.Core.Running;
using Simian.Core.Tests.Fakes;

namespace Simian.Core.Tests.Running;

public sealed class ExperimentRunnerTests
{
    private const string BreakAll = "  - {name: b, fault: break, target: things}\n";

    private static IReadOnlyList<string> Events(JournalState journal, string kind) =>
        journal.Events.Where(e => e.Kind == kind).Select(e => e.ToString()).ToList();

    [Fact]
    public async Task Capture_comes_before_apply_and_the_intent_is_on_disk_before_apply_is_called()
    {
        using var h = new RunHarness(things: 2);
        var seenAtApply = new List<(string Id, bool IntentOnDisk, bool AlreadyApplied)>();
        h.World.Break.OnApply = context =>
        {
            var change = JournalState.Read(h.JournalPath).Changes.SingleOrDefault(c => c.ResourceId == context.Resource.Id);
            seenAtApply.Add((context.Resource.Id, change is not null && (string?)change.Undo["before"] == $"state-of-{context.Resource.Id}", change?.Applied ?? false));
        };

        var outcome = await h.RunAsync(BreakAll);

        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Equal([("t1", true, false), ("t2", true, false)], seenAtApply);
        Assert.Equal(["capture break t1", "apply break t1", "capture break t2", "apply break t2"], h.Log.Lines("capture", "apply"));
        Assert.All(h.Journal.Changes, c => Assert.True(c.Applied));
    }

    [Fact]
    public async Task Undo_gets_exactly_what_capture_returned()
    {
        using var h = new RunHarness();

        await h.RunAsync(BreakAll);

        var undo = h.Log.Single("undo break t1");
        Assert.Equal("{\"fault\":\"break\",\"before\":\"state-of-t1\"}", undo.Data!.ToJsonString());
    }

    [Fact]
    public async Task The_runner_locks_the_targets_first_and_a_held_one_refuses_the_run_before_any_journal()
    {
        using var h = new RunHarness(things: 2);
        using var other = h.Locks;
        Assert.Empty(other.TryAcquireAll([("test:thing", "t2")]));

        var refused = await Assert.ThrowsAsync<RefusedException>(() => h.RunAsync(BreakAll, options: o => o with { Locks = h.Locks }));

        Assert.Contains("held by another run in progress: test:thing t2", refused.Message);
        Assert.False(File.Exists(h.JournalPath));
        Assert.Empty(h.Log.Calls);
    }

    [Fact]
    public async Task A_journal_kept_outside_the_state_folder_is_registered_before_the_first_change_and_unregistered_after()
    {
        using var h = new RunHarness();
        var registered = new List<bool>();
        h.World.Break.OnApply = _ => registered.Add(Directory.Exists(h.State.Registered) && Directory.GetFiles(h.State.Registered).Length == 1);

        var outcome = await h.RunAsync(BreakAll, options: o => o with { RegisterIn = h.State });

        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Equal([true], registered);
        Assert.Empty(Directory.GetFiles(h.State.Registered));
    }

    [Fact]
    public async Task Rollback_undoes_from_the_journaled_record_exactly_as_recover_would()
    {
        using var h = new RunHarness();
        // What the run holds in memory drifts from what it journaled: rollback must use the journal, like recover.
        h.World.Break.OnApplyUndo = undo => undo["before"] = "changed in memory after journaling";

        var outcome = await h.RunAsync(BreakAll);

        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Equal("{\"fault\":\"break\",\"before\":\"state-of-t1\"}", h.Log.Single("undo break t1").Data!.ToJsonString());
    }

    [Fact]
    public async Task Rollback_undoes_in_the_reverse_order_of_injection()
    {
        using var h = new RunHarness(things: 3);

        var outcome = await h.RunAsync("  - {name: b, fault: break, target: things}\n  - {name: s, fault: slow, target: things}\n");

        var applied = h.Log.Lines("apply");
        Assert.Equal(["apply break t1", "apply break t2", "apply break t3", "apply slow t1", "apply slow t2", "apply slow t3"], applied);
        Assert.Equal(applied.Reverse().Select(l => l.Replace("apply", "undo")), h.Log.Lines("undo"));
        Assert.Equal((RunStatus.Completed, ExitCodes.Ok, 6, 6), (outcome.Status, outcome.ExitCode, outcome.Injected, outcome.Restored));
        Assert.Empty(h.Journal.Pending);
        Assert.All(h.Journal.Changes, c => Assert.Equal("rollback", c.UndoneBy));
    }

    [Fact]
    public async Task Duration_step_ends_its_faults_when_its_duration_is_over()
    {
        using var h = new RunHarness();

        var outcome = await h.RunAsync("  - {name: s, fault: slow, target: things, duration: 300ms}\n  - {name: b, fault: break, target: things}\n");

        Assert.Equal(["apply slow t1", "undo slow t1", "apply break t1", "undo break t1"], h.Log.Lines("apply", "undo"));
        var held = h.Log.Single("undo slow t1").Since(h.Log.Single("apply slow t1"));
        Assert.True(held >= TimeSpan.FromMilliseconds(300), $"held only {held}");
        Assert.Equal(["duration", "rollback"], h.Journal.Changes.Select(c => c.UndoneBy));
        Assert.Equal((ExitCodes.Ok, 2), (outcome.ExitCode, outcome.Restored));
    }

    [Fact]
    public async Task Pause_step_waits_before_the_next_step()
    {
        using var h = new RunHarness();

        await h.RunAsync("  - {name: a, fault: break, target: things}\n  - {pause: 200ms}\n  - {name: b, fault: slow, target: things}\n");

        var waited = h.Log.Single("apply slow t1").Since(h.Log.Single("apply break t1"));
        Assert.True(waited >= TimeSpan.FromMilliseconds(200), $"waited only {waited}");
    }

    // Probes fail while 'break' is applied: a deviation cuts short the long pause that follows it. Without one,
    // the pause is short; the test must not depend on how quickly the monitor notices.
    [Theory]
    [InlineData("always", false, true, RunStatus.Completed)]
    [InlineData("always", true, true, RunStatus.Deviated)]
    [InlineData("on-deviation", false, false, RunStatus.Completed)]
    [InlineData("on-deviation", true, true, RunStatus.Deviated)]
    [InlineData("never", false, false, RunStatus.Completed)]
    [InlineData("never", true, false, RunStatus.Deviated)]
    public async Task Rollback_mode_decides_whether_a_finished_run_undoes_its_faults(string mode, bool deviate, bool undone, RunStatus status)
    {
        using var h = new RunHarness();
        if (deviate) h.UnhealthyWhile("break");

        var pause = deviate ? "10s" : "200ms";

        var outcome = await h.RunAsync($"  - {{name: b, fault: break, target: things}}\n  - {{pause: {pause}}}\n", RunHarness.Steady(), extra: $"rollback: {mode}\n");

        Assert.Equal(status, outcome.Status);
        Assert.True(h.Elapsed < TimeSpan.FromSeconds(10), $"the 10s pause was not cut short: {h.Elapsed}");
        Assert.Equal(undone, h.Log.Contains("undo break t1"));
        var change = Assert.Single(h.Journal.Changes);
        Assert.Equal(undone, change.Undone);
        if (undone)
        {
            Assert.Empty(outcome.LeftInPlace);
            Assert.Equal(1, outcome.Restored);
        }
        else
        {
            Assert.Equal(["b on t1"], outcome.LeftInPlace);
            Assert.Equal(0, outcome.Restored);
            Assert.StartsWith("rollback: ", change.LeftReason);
            Assert.Single(h.Journal.Pending);
        }
    }

    [Theory]
    [InlineData("never")]
    [InlineData("on-deviation")]
    public async Task Interrupted_run_rolls_back_everything_whatever_the_rollback_mode(string mode)
    {
        using var h = new RunHarness();
        h.Probes = new ScriptedProbeRunner(_ => true)
        {
            OnCall = _ => { if (h.Log.Contains("apply slow t1")) h.Interruption.Request("SIGINT", ExitCodes.Interrupted); },
        };

        var outcome = await h.RunAsync(
            "  - {name: b, fault: break, target: things}\n  - {name: s, fault: slow, target: things, duration: 10s}\n",
            RunHarness.Steady(), extra: $"rollback: {mode}\n");

        Assert.Equal((RunStatus.Interrupted, ExitCodes.Interrupted), (outcome.Status, outcome.ExitCode));
        // An interrupted run rolls everything back in any mode.
        Assert.Equal(["undo slow t1", "undo break t1"], h.Log.Lines("undo"));
        Assert.Empty(outcome.LeftInPlace);
    }

    [Fact]
    public async Task Deviated_run_with_rollback_never_still_ends_its_duration_faults()
    {
        using var h = new RunHarness();
        h.UnhealthyWhile("slow");

        var outcome = await h.RunAsync(
            "  - {name: b, fault: break, target: things}\n  - {name: s, fault: slow, target: things, duration: 10s}\n",
            RunHarness.Steady(), extra: "rollback: never\n");

        Assert.Equal(RunStatus.Deviated, outcome.Status);
        Assert.True(h.Elapsed < TimeSpan.FromSeconds(10), $"the 10s hold was not cut short: {h.Elapsed}");
        Assert.Equal(["undo slow t1"], h.Log.Lines("undo"));
        Assert.Equal(["b on t1"], outcome.LeftInPlace);
        Assert.Equal("b", Assert.Single(h.Journal.Pending).Step);
    }

    [Fact]
    public async Task Deviation_with_abort_stops_further_steps_and_rolls_back()
    {
        using var h = new RunHarness();
        h.UnhealthyWhile("slow");

        var outcome = await h.RunAsync(
            "  - {name: b, fault: break, target: things}\n  - {name: s, fault: slow, target: things, duration: 10s}\n  - {name: k, fault: kill, target: things, irreversible: allowed}\n",
            RunHarness.Steady(tolerance: 2));

        Assert.Equal((RunStatus.Deviated, ExitCodes.Deviated), (outcome.Status, outcome.ExitCode));
        Assert.StartsWith("hypothesis deviated: probe 'health' failed 2 times in a row", outcome.Reason);
        Assert.True(h.Elapsed < TimeSpan.FromSeconds(10), $"the 10s hold was not cut short: {h.Elapsed}");
        Assert.DoesNotContain("capture kill t1", h.Log.Lines());
        Assert.Equal(["undo slow t1", "undo break t1"], h.Log.Lines("undo"));
        var journal = h.Journal;
        Assert.Equal("deviated", journal.Status);
        Assert.Single(Events(journal, "deviation"));
        Assert.Empty(journal.Pending);
    }

    [Fact]
    public async Task Deviation_without_abort_runs_every_step_and_still_reports_it()
    {
        using var h = new RunHarness();
        h.UnhealthyWhile("slow");

        var outcome = await h.RunAsync(
            "  - {name: s, fault: slow, target: things, duration: 1s}\n  - {name: b, fault: break, target: things}\n",
            RunHarness.Steady(abortOnDeviation: false, tolerance: 1));

        Assert.Equal((RunStatus.Deviated, ExitCodes.Deviated), (outcome.Status, outcome.ExitCode));
        Assert.Equal(["apply slow t1", "undo slow t1", "apply break t1", "undo break t1"], h.Log.Lines("apply", "undo"));
        Assert.True(h.Log.Single("undo slow t1").Since(h.Log.Single("apply slow t1")) >= TimeSpan.FromSeconds(1));
        // The person watching is told once why the faults stay in although the hypothesis deviated.
        Assert.Single(h.Observer.Warnings, w => w.Contains("abortOnDeviation is false", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Steady_state_failing_before_changes_nothing()
    {
        using var h = new RunHarness();
        h.Probes = new ScriptedProbeRunner(_ => false);

        var outcome = await h.RunAsync(BreakAll, RunHarness.Steady());

        Assert.Equal((RunStatus.Aborted, ExitCodes.Refused), (outcome.Status, outcome.ExitCode));
        Assert.Contains("nothing was changed", outcome.Reason);
        Assert.Empty(h.Log.Calls);
        var journal = h.Journal;
        Assert.Empty(journal.Changes);
        Assert.Equal("aborted", journal.Status);
        Assert.Equal(1, h.Probes.Calls);
    }

    [Fact]
    public async Task Steady_state_that_does_not_return_after_rollback_is_a_deviation()
    {
        using var h = new RunHarness();
        // Healthy until something is undone, then never again.
        h.Probes = new ScriptedProbeRunner(_ => h.Log.Lines("undo").Count == 0);

        var outcome = await h.RunAsync(BreakAll, RunHarness.Steady(tolerance: 2));

        Assert.Equal((RunStatus.Deviated, ExitCodes.Deviated, false), (outcome.Status, outcome.ExitCode, outcome.SteadyAfter));
        Assert.Contains("did not return", outcome.Reason);
        // One round before, then tolerance + 2 tries after rollback.
        var after = h.Observer.Probes.Count(p => p.Phase == "after");
        Assert.Equal(4, after);
    }

    [Fact]
    public async Task Apply_failure_rolls_back_what_was_applied_and_aborts()
    {
        using var h = new RunHarness(things: 3);
        h.World.Break.ApplyFailsOn = new HashSet<string> { "t2" };

        var outcome = await h.RunAsync("  - {name: s, fault: slow, target: things}\n  - {name: b, fault: break, target: things}\n  - {name: k, fault: kill, target: things, irreversible: allowed}\n");

        // Rolled back, but a fault that could not be applied is a provider failure.
        Assert.Equal((RunStatus.Aborted, ExitCodes.Provider), (outcome.Status, outcome.ExitCode));
        Assert.Equal("step 'b' failed on t2: break apply refused by t2", outcome.Reason);
        Assert.DoesNotContain("capture break t3", h.Log.Lines());
        Assert.DoesNotContain("capture kill t1", h.Log.Lines());
        // The failed change may have been half made, so it is undone too; newest first.
        Assert.Equal(["undo break t2", "undo break t1", "undo slow t3", "undo slow t2", "undo slow t1"], h.Log.Lines("undo"));
        var journal = h.Journal;
        Assert.Equal("aborted", journal.Status);
        Assert.Equal("break apply refused by t2", journal.Changes.Single(c => c.Fault == "break" && c.ResourceId == "t2").LastError);
        Assert.Empty(journal.Pending);
    }

    [Fact]
    public async Task Undo_failing_for_good_is_a_rollback_failure_that_the_journal_records()
    {
        using var h = new RunHarness(things: 2);
        h.World.Break.UndoFailures = int.MaxValue;

        var outcome = await h.RunAsync("  - {name: s, fault: slow, target: things}\n  - {name: b, fault: break, target: things}\n", undoAttempts: 3);

        Assert.Equal((RunStatus.RollbackFailed, ExitCodes.RollbackIncomplete), (outcome.Status, outcome.ExitCode));
        Assert.Contains($"simian recover --journal {h.JournalPath}", outcome.Reason);
        Assert.Equal(2, outcome.NotRestored.Count);
        Assert.Equal(2, outcome.Restored);
        // Three attempts for each broken change, and the rest of the rollback still happens.
        Assert.Equal(3, h.Log.Lines("undo").Count(l => l == "undo break t2"));
        Assert.Equal(3, h.Log.Lines("undo").Count(l => l == "undo break t1"));
        Assert.True(h.Log.Contains("undo slow t1") && h.Log.Contains("undo slow t2"));
        var journal = h.Journal;
        Assert.Equal("rollback-failed", journal.Status);
        Assert.Equal(2, Events(journal, "undo-failed").Count);
        Assert.Equal(["t2", "t1"], journal.Pending.Select(c => c.ResourceId));
        Assert.All(journal.Pending, c => Assert.Equal("break undo refused by " + c.ResourceId, c.LastError));
    }

    [Fact]
    public async Task Undo_that_fails_for_good_at_the_end_of_a_duration_is_counted_once()
    {
        using var h = new RunHarness();
        h.World.Slow.UndoFailures = int.MaxValue;

        var outcome = await h.RunAsync("  - {name: s, fault: slow, target: things, duration: 100ms}\n  - {name: b, fault: break, target: things}\n", undoAttempts: 2);

        Assert.Equal((RunStatus.RollbackFailed, ExitCodes.RollbackIncomplete), (outcome.Status, outcome.ExitCode));
        Assert.Equal("s on t1: slow undo refused by t1", Assert.Single(outcome.NotRestored));
        Assert.Equal(0, outcome.Restored);
        Assert.Empty(outcome.LeftInPlace);
        Assert.Contains("1 change(s) not undone", outcome.Reason);
        Assert.DoesNotContain("capture break t1", h.Log.Lines());
        Assert.Equal("s", Assert.Single(h.Journal.Pending).Step);
    }

    [Fact]
    public async Task Undo_that_fails_a_few_times_then_works_is_restored()
    {
        using var h = new RunHarness();
        h.World.Break.UndoFailures = 2;

        var outcome = await h.RunAsync(BreakAll, undoAttempts: 3);

        Assert.Equal((RunStatus.Completed, ExitCodes.Ok, 1), (outcome.Status, outcome.ExitCode, outcome.Restored));
        Assert.Equal(3, h.Log.Lines("undo").Count);
        Assert.Empty(h.Journal.Pending);
    }

    [Fact]
    public async Task Interruption_during_a_hold_rolls_back_and_exits_with_the_signal_code()
    {
        using var h = new RunHarness();
        h.Probes = new ScriptedProbeRunner(_ => true)
        {
            OnCall = _ => { if (h.Log.Contains("apply slow t1")) h.Interruption.Request("SIGTERM", ExitCodes.Terminated); },
        };

        var outcome = await h.RunAsync(
            "  - {name: s, fault: slow, target: things, duration: 10s}\n  - {name: b, fault: break, target: things}\n",
            RunHarness.Steady());

        Assert.Equal((RunStatus.Interrupted, 143), (outcome.Status, outcome.ExitCode));
        Assert.Equal("interrupted by SIGTERM", outcome.Reason);
        Assert.True(h.Elapsed < TimeSpan.FromSeconds(10), $"the 10s hold was not cut short: {h.Elapsed}");
        Assert.Equal(["apply slow t1", "undo slow t1"], h.Log.Lines("apply", "undo"));
        Assert.True(h.Interruption.RollingBack);
        Assert.False(h.Interruption.Request("SIGINT", ExitCodes.Interrupted));
        Assert.Null(outcome.SteadyAfter);
        var journal = h.Journal;
        Assert.Equal("interrupted", journal.Status);
        Assert.Equal("rollback", Assert.Single(journal.Changes).UndoneBy);
    }

    [Fact]
    public async Task Max_duration_aborts_the_run_and_rolls_back()
    {
        using var h = new RunHarness();

        var outcome = await h.RunAsync("  - {name: s, fault: slow, target: things, duration: 10s}\n",
            change: e => e with { Safety = e.Safety with { MaxDuration = TimeSpan.FromSeconds(1) } });

        Assert.Equal(RunStatus.Aborted, outcome.Status);
        Assert.Equal("aborted: safety.maxDuration (1s) reached", outcome.Reason);
        Assert.InRange(h.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.True(h.Log.Contains("undo slow t1"));
    }

    [Fact]
    public async Task Dry_run_applies_nothing_and_says_what_it_would_do()
    {
        using var h = new RunHarness(things: 2);

        var outcome = await h.RunAsync(BreakAll + "  - {name: k, fault: kill, target: things, irreversible: allowed}\n", dryRun: true);

        Assert.Equal((RunStatus.Completed, ExitCodes.Ok, 0), (outcome.Status, outcome.ExitCode, outcome.Injected));
        Assert.Empty(h.Log.Calls);
        var journal = h.Journal;
        Assert.True(journal.DryRun);
        Assert.Empty(journal.Changes);
        Assert.Equal(4, Events(journal, "would-apply").Count);
        Assert.Contains(h.Observer.Phases, p => p.StartsWith("[dry run] would", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Keep_alive_is_called_for_held_faults_that_need_it_and_stops_when_undone()
    {
        using var h = new RunHarness();

        var outcome = await h.RunAsync("  - {name: s, fault: slow, target: things, duration: 900ms}\n  - {name: b, fault: break, target: things}\n  - {pause: 700ms}\n");

        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        var keepAlives = h.Log.Calls.Where(c => c.Kind == "keep-alive").ToList();
        Assert.All(keepAlives, k => Assert.Equal("slow", k.Fault));
        var applied = h.Log.Single("apply slow t1");
        var undone = h.Log.Single("undo slow t1");
        var whileHeld = keepAlives.Count(k => k.At >= applied.At && k.At <= undone.At);
        Assert.True(whileHeld >= 2, $"only {whileHeld} keep-alive call(s) while held");
        // None after the undo, though one racing the undo itself may slip in on the same tick.
        Assert.DoesNotContain(keepAlives, k => k.Since(undone) > TimeSpan.FromMilliseconds(250));
    }

    [Fact]
    public async Task Keep_alives_are_never_further_apart_than_the_interval_the_fault_asks_for()
    {
        // The runner ticks every 250 ms. A 400 ms interval renewed on the first tick at or after its due time
        // would come every 500 ms, and a proxy toxic with TTL 3 x interval would get only 2.4 chances, not 3.
        using var h = new RunHarness();
        h.World.Slow.Interval = TimeSpan.FromMilliseconds(400);

        var outcome = await h.RunAsync("  - {name: s, fault: slow, target: things, duration: 2s}\n");

        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        var applied = h.Log.Single("apply slow t1");
        var undone = h.Log.Single("undo slow t1");
        var renewals = h.Log.Calls.Where(c => c.Kind == "keep-alive" && c.At >= applied.At && c.At <= undone.At)
            .Select(c => c.At).Prepend(applied.At).Append(undone.At).ToList();
        Assert.True(renewals.Count >= 7, $"only {renewals.Count - 2} renewal(s) in 2 s");
        var gaps = renewals.Zip(renewals.Skip(1), (a, b) => b - a).ToList();
        Assert.True(gaps.Max() <= TimeSpan.FromMilliseconds(400), $"renewals {string.Join(", ", gaps.Select(g => $"{g.TotalMilliseconds:F0} ms"))} apart");
    }

    [Theory]
    [InlineData(400)]
    [InlineData(250)]
    [InlineData(251)]
    [InlineData(1_000)]
    [InlineData(5_000)]
    public void Keep_alives_on_250_ms_ticks_are_never_further_apart_than_the_interval(int intervalMs)
    {
        var tick = TimeSpan.FromMilliseconds(250);
        var interval = TimeSpan.FromMilliseconds(intervalMs);
        var start = new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);
        var renewals = new List<DateTimeOffset> { start };
        var due = start;
        for (var now = start + tick; now < start + TimeSpan.FromMinutes(1); now += tick)
        {
            if (!ExperimentRunner.KeepAliveDue(now, due, tick)) continue;
            renewals.Add(now);
            due = now + interval;
        }

        var gaps = renewals.Zip(renewals.Skip(1), (a, b) => b - a).ToList();
        Assert.All(gaps, g => Assert.True(g <= interval, $"{g.TotalMilliseconds} ms apart, interval {intervalMs} ms"));
        // And, after the first renewal (on the first tick after apply), not needlessly often.
        Assert.All(gaps.Skip(1), g => Assert.True(g > interval - tick, $"{g.TotalMilliseconds} ms apart, interval {intervalMs} ms"));
    }

    [Fact]
    public async Task Irreversible_fault_is_applied_once_and_never_undone()
    {
        using var h = new RunHarness();

        var outcome = await h.RunAsync("  - {name: k, fault: kill, target: things, irreversible: allowed}\n");

        Assert.Equal((ExitCodes.Ok, 1, 0), (outcome.ExitCode, outcome.Injected, outcome.Restored));
        Assert.Equal(["capture kill t1", "apply kill t1"], h.Log.Lines());
        var change = Assert.Single(h.Journal.Changes);
        Assert.False(change.Reversible);
        Assert.Empty(h.Journal.Pending);
    }

    [Fact]
    public async Task Target_that_selected_nothing_is_skipped_with_a_warning()
    {
        using var h = new RunHarness(things: 0);

        var outcome = await h.RunAsync(BreakAll);

        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Empty(h.Log.Calls);
        Assert.Contains("step 'b': target 'things' selected nothing; nothing to inject", h.Observer.Warnings);
    }
}
