using Simian.Core.Planning;

namespace Simian.Core.Safety;

/// <summary>Refuses outside <c>safety.window</c> (days and hours in the window's time zone).</summary>
public sealed class WindowCheck : IGuardCheck
{
    public string Name => "window";

    public GuardVerdict Evaluate(GuardInput input)
    {
        var window = input.Plan.Experiment.Safety.Window;
        if (window is null) return new GuardVerdict(Name, true, "no window set: any time");
        var zone = TimeZoneInfo.FindSystemTimeZoneById(window.TimeZoneId);
        var local = TimeZoneInfo.ConvertTime(input.Now, zone);
        var time = TimeOnly.FromDateTime(local.DateTime);
        var day = local.DayOfWeek;
        bool inside;
        if (window.Start < window.End)
        {
            inside = window.Days.Contains(day) && time >= window.Start && time < window.End;
        }
        else
        {
            // Overnight window (22:00-06:00): the part after midnight belongs to the previous day.
            var previous = (DayOfWeek)(((int)day + 6) % 7);
            inside = (window.Days.Contains(day) && time >= window.Start) || (window.Days.Contains(previous) && time < window.End);
        }
        var now = $"{local:ddd HH:mm} {window.TimeZoneId}";
        var span = $"{string.Join(",", window.Days.Select(d => d.ToString()[..3].ToLowerInvariant()))} {window.Start:HH\\:mm}-{window.End:HH\\:mm}";
        return inside
            ? new GuardVerdict(Name, true, $"{now} is inside {span}")
            : new GuardVerdict(Name, false, $"not running: {now} is outside the window {span}");
    }
}
