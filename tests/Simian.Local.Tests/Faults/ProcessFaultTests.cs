using Simian.Core.Diagnostics;
using Simian.Core.Providers;
using Simian.Local.Faults;
using Simian.Local.Processes;
using Simian.Local.Tests.Support;

namespace Simian.Local.Tests.Faults;

public sealed class ProcessFaultTests
{
    private static Resource Of(Sleeper s) => ProcessTargetType.ToResource(ProcFs.Get(s.Pid)!);

    private static async Task WaitForState(Sleeper s, Func<char, bool> ok)
    {
        for (var i = 0; i < 200 && !ok(s.State); i++) await Task.Delay(10);
        Assert.True(ok(s.State), $"state is {s.State}");
    }

    [Fact]
    public async Task Pause_stops_the_process_and_undo_resumes_it_once()
    {
        using var sleeper = new Sleeper();
        var fault = new ProcessPauseFault();
        var ctx = Yaml.Context(Of(sleeper));
        var undo = await fault.CaptureAsync(ctx, default);
        await fault.ApplyAsync(ctx, undo, default);
        await WaitForState(sleeper, c => c == 'T');

        Assert.Equal(UndoOutcome.Restored, await fault.UndoAsync(Yaml.Undo(ctx, undo), default));
        await WaitForState(sleeper, c => c != 'T');
        Assert.Equal(UndoOutcome.NothingToUndo, await fault.UndoAsync(Yaml.Undo(ctx, undo), default));
    }

    [Fact]
    public async Task Undo_from_the_journal_alone_resumes_a_process_paused_before_a_crash()
    {
        using var sleeper = new Sleeper();
        var fault = new ProcessPauseFault();
        var ctx = Yaml.Context(Of(sleeper));
        var undo = await fault.CaptureAsync(ctx, default);
        await fault.ApplyAsync(ctx, undo, default);
        await WaitForState(sleeper, c => c == 'T');
        // What recover has: the journal's JSON, round-tripped through text.
        var fromJournal = (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(undo.ToJsonString())!;
        var recover = new UndoContext("run1", sleeper.Pid.ToString(), new Dictionary<string, string>(), fromJournal, new Dictionary<string, string>(), TimeProvider.System);
        Assert.Equal(UndoOutcome.Restored, await new ProcessPauseFault().UndoAsync(recover, default));
        await WaitForState(sleeper, c => c != 'T');
    }

    [Fact]
    public async Task Undo_leaves_a_process_that_was_already_stopped_as_it_was()
    {
        using var sleeper = new Sleeper();
        Signals.Send(sleeper.Pid, Signals.Stop);
        await WaitForState(sleeper, c => c == 'T');
        var fault = new ProcessPauseFault();
        var ctx = Yaml.Context(Of(sleeper));
        var undo = await fault.CaptureAsync(ctx, default);
        await fault.ApplyAsync(ctx, undo, default);
        Assert.Equal(UndoOutcome.NothingToUndo, await fault.UndoAsync(Yaml.Undo(ctx, undo), default));
        Assert.Equal('T', sleeper.State);
    }

    [Fact]
    public async Task Undo_after_the_process_exited_has_nothing_to_do()
    {
        var sleeper = new Sleeper();
        var fault = new ProcessPauseFault();
        var ctx = Yaml.Context(Of(sleeper));
        var undo = await fault.CaptureAsync(ctx, default);
        sleeper.Dispose();
        Assert.Equal(UndoOutcome.NothingToUndo, await fault.UndoAsync(Yaml.Undo(ctx, undo), default));
    }

    [Fact]
    public async Task Kill_sends_the_signal_and_cannot_be_undone()
    {
        using var sleeper = new Sleeper();
        var fault = new ProcessKillFault();
        Assert.False(fault.Reversible);
        var ctx = Yaml.Context(Of(sleeper), "{signal: TERM}");
        await fault.ApplyAsync(ctx, await fault.CaptureAsync(ctx, default), default);
        Assert.True(sleeper.Process.WaitForExit(5000));
        Assert.Equal("send SIGTERM (irreversible)", fault.Describe(Yaml.Map("{signal: TERM}"), null));
    }

    [Fact]
    public async Task Kill_refuses_a_pid_that_now_belongs_to_another_process()
    {
        using var sleeper = new Sleeper();
        var resource = Of(sleeper) with { Attributes = new Dictionary<string, string> { ["startTime"] = "1" } };
        var fault = new ProcessKillFault();
        var ctx = Yaml.Context(resource);
        // Certainly not applied: the run records it as never made, so there is nothing to recover.
        await Assert.ThrowsAsync<Simian.Core.Providers.FaultNotAppliedException>(() => fault.ApplyAsync(ctx, new(), default));
        Assert.False(sleeper.Process.HasExited);
    }

    [Fact]
    public void An_unknown_signal_is_a_validation_error_with_a_suggestion()
    {
        var d = new DiagnosticBag();
        new ProcessKillFault().ValidateParams(Yaml.Map("{signal: KIL}"), d);
        Assert.Contains(d.Items, x => x.Message.Contains("did you mean 'KILL'"));
    }
}
