using System.Text.Json.Nodes;
using Polly.Timeout;
using Simian.Core.Providers;
using Simian.Core.Running;
using Simian.Core.Tests.Fakes;

namespace Simian.Core.Tests.Running;

public sealed class UndoExecutorTests
{
    private static readonly UndoContext Context = new("run", "t1", new Dictionary<string, string>(), new JsonObject(), new Dictionary<string, string>(), TimeProvider.System);

    [Fact]
    public async Task Retries_until_the_undo_succeeds()
    {
        var fault = new FakeFault("break", new CallLog()) { UndoFailures = 3 };

        var outcome = await new UndoExecutor(TimeProvider.System, 4, TimeSpan.FromMilliseconds(1)).UndoAsync(fault, Context);

        Assert.Equal(UndoOutcome.Restored, outcome);
        Assert.Equal(4, fault.Log.Calls.Count);
    }

    [Fact]
    public async Task Gives_up_after_the_last_attempt_with_the_fault_error()
    {
        var fault = new FakeFault("break", new CallLog()) { UndoFailures = int.MaxValue };

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => new UndoExecutor(TimeProvider.System, 3, TimeSpan.FromMilliseconds(1)).UndoAsync(fault, Context));

        Assert.Equal("break undo refused by t1", e.Message);
        Assert.Equal(3, fault.Log.Calls.Count);
    }

    [Fact]
    public async Task Hung_undo_is_cut_off_per_attempt_after_four_minutes_and_retried()
    {
        var fault = new HangingFault();
        using var clock = new SimulatedClock(maxStep: TimeSpan.FromSeconds(30));

        await Assert.ThrowsAsync<TimeoutRejectedException>(() =>
            new UndoExecutor(clock, 2, TimeSpan.FromSeconds(1)).UndoAsync(fault, Context));

        Assert.Equal(2, fault.Calls);
        // Two attempts of four minutes each (the default, generous for an undo that itself waits), a jittered backoff
        // of about a second between them.
        Assert.InRange(clock.Elapsed, TimeSpan.FromMinutes(8), TimeSpan.FromMinutes(8) + TimeSpan.FromSeconds(3));
    }

    private sealed class HangingFault : IFault
    {
        public int Calls;
        public string Name => "hang";
        public string Summary => "hang";
        public bool Reversible => true;
        public void ValidateParams(Simian.Core.Yaml.YMapping parameters, Simian.Core.Diagnostics.DiagnosticBag diagnostics) { }
        public string Describe(Simian.Core.Yaml.YMapping parameters, TimeSpan? duration) => "hang";
        public Task<JsonObject> CaptureAsync(FaultContext context, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken) => throw new NotSupportedException();

        public async Task<UndoOutcome> UndoAsync(UndoContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return UndoOutcome.Restored;
        }
    }
}
