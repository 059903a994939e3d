using Microsoft.Extensions.Time.Testing;
using Simian.Cli.Output;
using Simian.Core.Probes;
using Simian.Core.Running;

namespace Simian.Cli.Tests.Output;

public sealed class LiveStatusTests
{
    private sealed class Lines : IRunObserver
    {
        public List<string> Seen { get; } = [];
        public void Phase(string text) => Seen.Add(text);
        public void Probe(string phase, ProbeResult result) => Seen.Add($"probe {result.Probe}");
        public void Warning(string text) => Seen.Add("warning " + text);
    }

    [Fact]
    public void The_status_line_shows_step_hold_progress_last_probe_and_how_to_abort()
    {
        var time = new FakeTimeProvider();
        var stderr = new StringWriter();
        var inner = new Lines();
        using var status = new LiveStatus(inner, stderr, time, color: false);
        status.Start();
        status.Phase("slow-api: holding 20s");
        time.Advance(TimeSpan.FromSeconds(5));
        status.Probe("during", new ProbeResult("api-fast", false, TimeSpan.FromMilliseconds(612), "slow", time.GetUtcNow()));
        var text = status.Render();
        Assert.Contains("slow-api: holding 20s", text);
        Assert.Contains("held 0:05, 0:15 left", text);
        Assert.Contains("api-fast FAILED 612ms", text);
        Assert.Contains("Ctrl-C rolls back", text);
        Assert.Equal(["slow-api: holding 20s", "probe api-fast"], inner.Seen);
        Assert.DoesNotContain("\u001b[3", stderr.ToString());
        Assert.Contains("\r\u001b[2K", stderr.ToString());
    }

    [Fact]
    public void Nothing_is_drawn_before_start_so_an_approval_question_stays_readable()
    {
        var stderr = new StringWriter();
        using var status = new LiveStatus(new Lines(), stderr, new FakeTimeProvider(), color: true);
        status.Phase("planning");
        Assert.Equal("", stderr.ToString());
    }

    [Fact]
    public void The_clock_starts_at_approval_and_the_line_is_clipped_to_the_terminal()
    {
        var time = new FakeTimeProvider();
        var stderr = new StringWriter();
        var width = 40;
        using var status = new LiveStatus(new Lines(), stderr, time, color: false, () => width);
        // Reading the plan and answering the question takes a minute: not experiment time.
        time.Advance(TimeSpan.FromMinutes(1));
        status.Start();
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.StartsWith("[0:03]", status.Render());

        status.Phase("a step with a long name that cannot fit in forty columns: holding 20s");
        var drawn = stderr.ToString().Split("\r\u001b[2K")[^1];
        Assert.Equal(39, drawn.Length);
        Assert.EndsWith("…", drawn);
        // Resized: the next drawing uses the new width.
        width = 60;
        status.Warning("w");
        Assert.Equal(59, stderr.ToString().Split("\r\u001b[2K")[^1].Length);

        status.Stop();
        Assert.EndsWith("\r\u001b[2K", stderr.ToString());
    }
}
