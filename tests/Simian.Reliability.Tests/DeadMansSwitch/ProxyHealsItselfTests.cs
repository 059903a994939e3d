using System.Globalization;
using Simian.Core.Journal;
using Simian.Proxy;
using Simian.Reliability.Tests.Support;
using Xunit.Abstractions;

namespace Simian.Reliability.Tests.DeadMansSwitch;

/// <summary>
/// The dead-man's switch: a real `simian run` holding a latency fault on a real `simian proxy serve` is killed
/// with SIGKILL and nobody runs `recover`. The toxic carries a time-to-live (faultTtl: 2s) that only the run's
/// keep-alives renew, so the proxy must drop it by itself, and traffic must be fast again, soon after the TTL.
/// </summary>
[Collection(Alone.Name)]
public sealed class ProxyHealsItselfTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Allowance = TimeSpan.FromSeconds(1);
    // The fault adds 500ms; a request the proxy slowed by half that was held by it (normally it adds a millisecond or two).
    private static readonly TimeSpan Delayed = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// One killed run, measured: when the last keep-alive landed, the kill, the toxic gone from the control API,
    /// and traffic fast again (every request started from then on is answered at normal speed).
    /// </summary>
    /// <param name="ObserverStall">
    /// The longest gap between two requests the sampler started around the heal: the test itself (or the machine)
    /// stalling shows up here, and makes the heal look later than it was.
    /// </param>
    /// <param name="LongestKeepAliveGap">The longest time between two renewals seen while the run lived: the margin left to the TTL.</param>
    /// <param name="SlowestAfterGone">The most the proxy added to a request started after the toxic was gone.</param>
    private sealed record Heal(DateTimeOffset LastKeepAlive, DateTimeOffset Killed, DateTimeOffset ToxicGone, DateTimeOffset TrafficFast, int KeepAlivesSeen, TimeSpan ObserverStall, TimeSpan LongestKeepAliveGap, TimeSpan SlowestAfterGone)
    {
        public TimeSpan ToxicFromKeepAlive => ToxicGone - LastKeepAlive;
        public TimeSpan ToxicFromKill => ToxicGone - Killed;
        public TimeSpan TrafficFromKeepAlive => TrafficFast - LastKeepAlive;
        public TimeSpan TrafficFromKill => TrafficFast - Killed;
    }

    [Fact]
    public async Task After_SIGKILL_and_no_recover_the_proxy_drops_the_fault_within_its_ttl_and_traffic_is_fast_again()
    {
        var runs = Repo.LongTests ? 30 : 5;
        var stateDir = Directory.CreateTempSubdirectory("simian-dms-").FullName;
        try
        {
            await using var world = await ProxyWorld.StartAsync(stateDir);
            var profile = world.WriteProfile("dead-man", "2s", "500ms");
            var heals = new List<Heal>();
            string? lastJournal = null;
            for (var i = 0; i < runs; i++)
            {
                lastJournal = Path.Combine(stateDir, $"dead-man-{i}.jsonl");
                // The first run holds past the TTL, to show the keep-alives really keep the fault.
                var hold = i == 0 ? Ttl + TimeSpan.FromMilliseconds(500) : TimeSpan.FromMilliseconds(i * 137 % 750);
                var heal = await KillOneRunAsync(world, profile, lastJournal, hold);
                heals.Add(heal);
                output.WriteLine(FormattableString.Invariant(
                    $"run {i + 1}: keep-alives seen {heal.KeepAlivesSeen}, longest gap between them {Ms(heal.LongestKeepAliveGap)}; longest sampler gap {Ms(heal.ObserverStall)}, most the proxy added after the heal {Ms(heal.SlowestAfterGone)}; toxic gone {Ms(heal.ToxicFromKeepAlive)} after the last keep-alive ({Ms(heal.ToxicFromKill)} after the kill); traffic fast {Ms(heal.TrafficFromKeepAlive)} after the last keep-alive ({Ms(heal.TrafficFromKill)} after the kill)"));
            }

            var summary = Summarise(heals, runs);
            output.WriteLine(summary);
            File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "dead-mans-switch-results.txt"), summary + "\n");

            foreach (var (heal, i) in heals.Select((h, i) => (h, i + 1)))
            {
                Assert.True(heal.ToxicFromKeepAlive <= Ttl + Allowance, $"run {i}: the toxic outlived its TTL: gone {Ms(heal.ToxicFromKeepAlive)} after the last keep-alive\n{summary}");
                Assert.True(heal.ToxicFromKeepAlive >= Ttl - TimeSpan.FromMilliseconds(50), $"run {i}: the toxic vanished before its TTL ({Ms(heal.ToxicFromKeepAlive)}): something other than the TTL removed it");
                Assert.True(heal.TrafficFromKeepAlive <= Ttl + Allowance, $"run {i}: traffic was still slow {Ms(heal.TrafficFromKeepAlive)} after the last keep-alive\n{summary}");
                Assert.True(heal.ToxicFromKill <= Ttl + Allowance, $"run {i}: gone {Ms(heal.ToxicFromKill)} after the kill");
            }
            Assert.Contains("expired (TTL 2000 ms without heartbeat), removed", world.ProxyLog);

            // Nobody ran recover: the journal still lists the change as pending. A late recover finds it gone.
            Assert.Single(JournalState.Read(lastJournal!).Pending);
            using var cli = new TestCli();
            var recover = await cli.RunAsync("recover", "--journal", lastJournal!);
            Assert.True(recover.ExitCode == 0, recover.ToString());
            Assert.Contains("0 restored, 1 already clean", recover.Stdout);
        }
        finally
        {
            try { Directory.Delete(stateDir, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<Heal> KillOneRunAsync(ProxyWorld world, string profile, string journal, TimeSpan hold)
    {
        using var run = new SimianProcess(world.StateDir, "run", profile, "--yes", "--journal", journal);
        await Wait.UntilAsync(() => Journal.Count(journal, "applied") == 1, TimeSpan.FromSeconds(30), () => "the latency fault applied\n" + run.Stderr);
        var toxic = Assert.Single(await world.ToxicsAsync());
        Assert.Equal(2000, toxic.TtlMs);
        var expiries = new SortedSet<DateTimeOffset> { toxic.ExpiresAt };

        await using var traffic = new TrafficSampler($"http://127.0.0.1:{world.ListenPort}/health", $"http://127.0.0.1:{world.UpstreamPort}/health", TimeSpan.FromMilliseconds(20));
        // Hold until keep-alives have renewed the toxic twice (the first comes right after it is added), then for
        // `hold` more: the kill lands at varied points of the keep-alive cycle.
        var renewalDeadline = DateTimeOffset.UtcNow + Ttl;
        DateTimeOffset? killAt = null;
        while (killAt is null || DateTimeOffset.UtcNow < killAt)
        {
            var held = await world.ToxicsAsync();
            Assert.True(held.Count == 1, "the fault disappeared while the run was alive and renewing it\n" + run.Stderr);
            expiries.Add(held[0].ExpiresAt);
            if (killAt is null && expiries.Count > 2) killAt = DateTimeOffset.UtcNow + hold;
            Assert.True(killAt is not null || DateTimeOffset.UtcNow < renewalDeadline, $"keep-alives did not renew the toxic twice within its TTL of {Ttl}\n" + run.Stderr);
            await Task.Delay(20);
        }

        run.Process.Kill();
        var killed = DateTimeOffset.UtcNow;

        DateTimeOffset gone;
        var deadline = killed + Ttl + TimeSpan.FromSeconds(10);
        while (true)
        {
            var left = await world.ToxicsAsync();
            var now = DateTimeOffset.UtcNow;
            if (left.Count == 0)
            {
                gone = now;
                break;
            }
            expiries.Add(left[0].ExpiresAt);
            if (now > deadline) throw new TimeoutException($"the toxic was still there {now - killed} after the kill; nobody ran recover, so only its TTL could remove it");
            await Task.Delay(5);
        }

        await run.WaitAsync(TimeSpan.FromSeconds(10));

        // Keep sampling until traffic has been fast for a while, so a late slow request would be seen.
        await Wait.UntilAsync(() => traffic.Samples.Count(s => s.Started > gone + TimeSpan.FromMilliseconds(300)) >= 5,
            TimeSpan.FromSeconds(15), () => "traffic samples after the heal");
        await traffic.DisposeAsync();
        var samples = traffic.Samples;
        // Traffic is normal again from the first request after which no request is held by the fault. (A request
        // that entered while the toxic was there still gets its full delay: removing a toxic does not hurry
        // data it already holds.)
        var lastDelayed = -1;
        for (var i = 0; i < samples.Count; i++)
        {
            if (samples[i].Added is not { } added || added >= Delayed) lastDelayed = i;
        }
        Assert.True(lastDelayed >= 0, "no request was ever slowed down: the fault was not in place");
        Assert.True(lastDelayed < samples.Count - 1, "traffic never became fast again");
        var fast = samples[lastDelayed + 1].Started;
        var lastKeepAlive = expiries.Max - TimeSpan.FromMilliseconds(toxic.TtlMs);
        var starts = samples.Select(x => x.Started).Where(t => t >= killed && t <= fast + TimeSpan.FromMilliseconds(300)).ToList();
        var stall = starts.Zip(starts.Skip(1), (a, b) => b - a).DefaultIfEmpty(TimeSpan.Zero).Max();
        // Between renewals only: the first renewal follows the add at once.
        var renewals = expiries.Skip(1).ToList();
        var keepAliveGap = renewals.Zip(renewals.Skip(1), (a, b) => b - a).DefaultIfEmpty(TimeSpan.Zero).Max();
        var slowestAfterGone = samples.Where(x => x.Started > gone).Select(x => x.Added ?? TimeSpan.MaxValue).DefaultIfEmpty(TimeSpan.Zero).Max();
        return new Heal(lastKeepAlive, killed, gone, fast, expiries.Count - 1, stall, keepAliveGap, slowestAfterGone);
    }

    private static string Summarise(List<Heal> heals, int runs)
    {
        static string Stats(IEnumerable<TimeSpan> values)
        {
            var ms = values.Select(v => v.TotalMilliseconds).Order().ToList();
            var median = ms.Count % 2 == 1 ? ms[ms.Count / 2] : (ms[ms.Count / 2 - 1] + ms[ms.Count / 2]) / 2;
            return FormattableString.Invariant($"min {ms[0]:0} ms, median {median:0} ms, max {ms[^1]:0} ms");
        }
        return string.Join('\n',
            FormattableString.Invariant($"dead-man's switch, faultTtl 2s, {runs} SIGKILLed runs ({DateTimeOffset.UtcNow:yyyy-MM-dd}):"),
            "  toxic gone,   from the last keep-alive: " + Stats(heals.Select(h => h.ToxicFromKeepAlive)),
            "  toxic gone,   from the kill:            " + Stats(heals.Select(h => h.ToxicFromKill)),
            "  traffic fast, from the last keep-alive: " + Stats(heals.Select(h => h.TrafficFromKeepAlive)),
            "  traffic fast, from the kill:            " + Stats(heals.Select(h => h.TrafficFromKill)),
            "  longest gap between two keep-alives:    " + Stats(heals.Select(h => h.LongestKeepAliveGap)) + " (one every faultTtl/3 is the plan)",
            "  most the proxy added after the heal:    " + Stats(heals.Select(h => h.SlowestAfterGone)),
            "  longest gap between sampled requests:   " + Stats(heals.Select(h => h.ObserverStall)) + " (sampling every 20 ms)");
    }

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
}
