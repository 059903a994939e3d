using Microsoft.Extensions.Time.Testing;
using Simian.Core.Safety;
using Simian.Core.Tests.Fakes;

namespace Simian.Core.Tests.Safety;

public sealed class WindowCheckTests : IDisposable
{
    private const string OfficeHoursBerlin = "  window: {days: [mon, tue, wed, thu, fri], start: \"09:00\", end: \"17:00\", timezone: Europe/Berlin}\n";
    private const string FridayNightsUtc = "  window: {days: [fri], start: \"22:00\", end: \"06:00\"}\n";

    private readonly TempDir _dir = new();
    private readonly TargetLocks _locks;
    private readonly ThingWorld _world = new(ThingWorld.Many(2));

    public WindowCheckTests() => _locks = new TargetLocks(_dir.File("locks"));

    public void Dispose() => _dir.Dispose();

    private async Task<(bool Passed, string Detail)> VerdictAt(string window, DateTimeOffset now)
    {
        var experiment = ThingProfiles.Load(_world, ThingProfiles.Text(safety: window));
        var plan = await ThingProfiles.PlanAsync(_world, experiment, _locks, new FakeTimeProvider(now));
        var verdict = ThingProfiles.Verdict(plan, "window");
        Assert.Equal(verdict.Passed, plan.Allowed);
        return (verdict.Passed, verdict.Detail);
    }

    // 2025-01-06 and 2025-07-07 are Mondays; Berlin is UTC+1 in January and UTC+2 in July.
    [Theory]
    [InlineData("2025-01-06T08:30:00Z", true)]   // 09:30 in Berlin, though 08:30 in UTC
    [InlineData("2025-01-06T07:59:00Z", false)]  // 08:59
    [InlineData("2025-01-06T08:00:00Z", true)]   // 09:00 exactly: start is inside
    [InlineData("2025-01-06T16:00:00Z", false)]  // 17:00 exactly: end is outside
    [InlineData("2025-01-06T15:59:00Z", true)]   // 16:59
    [InlineData("2025-07-07T15:30:00Z", false)]  // 17:30 summer time, though 16:30 at UTC+1
    [InlineData("2025-07-07T07:30:00Z", true)]   // 09:30 summer time
    [InlineData("2025-01-11T10:00:00Z", false)]  // Saturday
    [InlineData("2025-01-10T16:30:00Z", false)]  // Friday 17:30
    public async Task Office_hours_are_judged_in_the_window_time_zone(string utc, bool inside)
    {
        var (passed, detail) = await VerdictAt(OfficeHoursBerlin, DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(inside == passed, detail);
    }

    [Fact]
    public async Task Day_is_taken_in_the_window_time_zone()
    {
        // Friday 23:30 UTC is Saturday 00:30 in Berlin; a window of Saturday mornings there must allow it.
        var (passed, detail) = await VerdictAt(
            "  window: {days: [sat], start: \"00:00\", end: \"01:00\", timezone: Europe/Berlin}\n",
            new DateTimeOffset(2025, 1, 10, 23, 30, 0, TimeSpan.Zero));

        Assert.True(passed, detail);
        Assert.Equal("Sat 00:30 Europe/Berlin is inside sat 00:00-01:00", detail);
    }

    [Fact]
    public async Task Refusal_says_the_local_time_and_the_window()
    {
        var (passed, detail) = await VerdictAt(OfficeHoursBerlin, new DateTimeOffset(2025, 1, 11, 10, 0, 0, TimeSpan.Zero));

        Assert.False(passed);
        Assert.Equal("not running: Sat 11:00 Europe/Berlin is outside the window mon,tue,wed,thu,fri 09:00-17:00", detail);
    }

    // 2025-01-10 is a Friday.
    [Theory]
    [InlineData(2025, 1, 10, 23, 0, true)]   // Friday night
    [InlineData(2025, 1, 10, 22, 0, true)]   // start is inside
    [InlineData(2025, 1, 11, 3, 0, true)]    // early Saturday belongs to Friday night
    [InlineData(2025, 1, 11, 6, 0, false)]   // end is outside
    [InlineData(2025, 1, 11, 23, 0, false)]  // Saturday night
    [InlineData(2025, 1, 10, 3, 0, false)]   // early Friday belongs to Thursday night
    [InlineData(2025, 1, 10, 12, 0, false)]  // Friday noon
    public async Task Overnight_window_belongs_to_the_day_it_starts(int y, int m, int d, int h, int min, bool inside)
    {
        var (passed, detail) = await VerdictAt(FridayNightsUtc, new DateTimeOffset(y, m, d, h, min, 0, TimeSpan.Zero));

        Assert.True(inside == passed, detail);
    }

    [Fact]
    public async Task No_window_means_any_time()
    {
        var (passed, detail) = await VerdictAt("  maxTargets: 10\n", new DateTimeOffset(2025, 1, 11, 3, 0, 0, TimeSpan.Zero));

        Assert.True(passed);
        Assert.Equal("no window set: any time", detail);
    }
}
