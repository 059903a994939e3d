using Simian.Core.Profiles;

namespace Simian.Core.Tests.Profiles;

public sealed class DurationTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1m30s250ms", 90_250)]
    [InlineData("1.5s", 1_500)]
    [InlineData("0s", 0)]
    [InlineData(" 10s ", 10_000)]
    [InlineData("168h", 604_800_000)]
    public void Parses_written_durations(string text, long milliseconds)
    {
        Assert.True(Duration.TryParse(text, out var value, out var error), error);
        Assert.Null(error);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("5", "needs a unit")]
    [InlineData("1h30", "needs a unit")]
    [InlineData("5x", "unknown unit 'x'")]
    [InlineData("3d", "unknown unit 'd'")]
    [InlineData("5 minutes", "not a duration")]
    [InlineData("-5s", "not a duration")]
    [InlineData("abc", "not a duration")]
    [InlineData("1..5s", "not a duration")]
    [InlineData("30m1h", "larger to smaller")]
    [InlineData("1s1s", "larger to smaller")]
    [InlineData("169h", "maximum of 7 days")]
    [InlineData("167h61m", "maximum of 7 days")]
    public void Refuses_bad_durations_with_a_reason(string text, string reason)
    {
        Assert.False(Duration.TryParse(text, out var value, out var error));
        Assert.Equal(TimeSpan.Zero, value);
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(1, "1ms")]
    [InlineData(999, "999ms")]
    [InlineData(1_000, "1s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(3_600_000, "1h")]
    [InlineData(3_661_001, "1h1m1s1ms")]
    [InlineData(604_800_000, "168h")]
    public void Formats_in_the_shortest_canonical_form(long milliseconds, string text)
    {
        Assert.Equal(text, Duration.Format(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Theory]
    [InlineData("90s", "1m30s")]
    [InlineData("1.5s", "1s500ms")]
    [InlineData("120m", "2h")]
    [InlineData("0.5h", "30m")]
    public void Formats_equivalent_forms_canonically(string written, string canonical)
    {
        Assert.True(Duration.TryParse(written, out var value, out _));
        Assert.Equal(canonical, Duration.Format(value));
    }

    [Fact]
    public void Format_then_parse_round_trips_whole_milliseconds()
    {
        var random = new Random(20240601);
        for (var i = 0; i < 2000; i++)
        {
            var value = TimeSpan.FromMilliseconds(random.NextInt64(0, (long)TimeSpan.FromDays(7).TotalMilliseconds));
            var text = Duration.Format(value);

            Assert.True(Duration.TryParse(text, out var back, out var error), $"{text}: {error}");
            Assert.Equal(value, back);
            Assert.Equal(text, Duration.Format(back));
        }
    }
}
