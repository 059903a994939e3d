using Simian.Core;
using Simian.Core.Running;

namespace Simian.Cli.Tests;

public sealed class SignalHubTests
{
    [Fact]
    public void The_first_signal_interrupts_the_run_and_a_second_says_rollback_is_in_progress()
    {
        using var hub = new SignalHub();
        using var run = new Interruption();
        var stderr = new StringWriter();
        run.MarkChanged();
        using (hub.Attach(run, stderr))
        {
            Assert.True(hub.Raise("SIGTERM"));
            Assert.True(run.Requested);
            Assert.Equal(ExitCodes.Terminated, run.ExitCode);
            Assert.True(hub.Raise("SIGINT"));
            Assert.Equal(ExitCodes.Terminated, run.ExitCode);
        }
        Assert.Contains("stopping and rolling back", stderr.ToString());
        Assert.Contains("rollback is in progress and will not be skipped", stderr.ToString());
        Assert.False(hub.Raise("SIGINT"));
    }

    [Fact]
    public void A_signal_before_any_change_says_nothing_was_changed_not_rolling_back()
    {
        using var hub = new SignalHub();
        using var run = new Interruption();
        var stderr = new StringWriter();
        using (hub.Attach(run, stderr)) Assert.True(hub.Raise("SIGINT"));
        Assert.Contains("SIGINT received: stopping; nothing has been changed", stderr.ToString());
        Assert.DoesNotContain("rolling back", stderr.ToString());
    }
}
