namespace Simian.Core.Tests.Support;

/// <summary>The clock the runner tests run on: it moves only to where timers are due, and never past one.</summary>
public sealed class SimulatedClockTests
{
    [Fact]
    public async Task A_long_delay_ends_after_exactly_its_simulated_time()
    {
        using var clock = new SimulatedClock();

        await Task.Delay(TimeSpan.FromSeconds(2), clock);

        Assert.Equal(TimeSpan.FromSeconds(2), clock.Elapsed);
        Assert.True(clock.Moves >= 200, $"moved {clock.Moves} times: at most 10 ms at a time");
    }

    [Fact]
    public async Task Timers_fire_in_due_order_and_a_periodic_one_on_every_period()
    {
        using var clock = new SimulatedClock();
        var fired = new List<(string What, TimeSpan At)>();
        void Note(string what)
        {
            lock (fired) fired.Add((what, clock.Elapsed));
        }

        using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(30), clock);
        var ticking = Task.Run(async () =>
        {
            for (var i = 0; i < 3 && await ticks.WaitForNextTickAsync(); i++) Note("tick");
        });
        await Task.WhenAll(
            Task.Delay(TimeSpan.FromMilliseconds(50), clock).ContinueWith(_ => Note("50 ms"), TaskScheduler.Default),
            Task.Delay(TimeSpan.FromMilliseconds(20), clock).ContinueWith(_ => Note("20 ms"), TaskScheduler.Default),
            ticking);

        Assert.Equal([("20 ms", 20), ("tick", 30), ("50 ms", 50), ("tick", 60), ("tick", 90)],
            fired.Select(f => (f.What, (int)f.At.TotalMilliseconds)));
    }
}
