using Simian.Core.Profiles;
using Simian.Core.Providers;

namespace Simian.Fuzz.Tests.Guard;

/// <summary>Random fleets and safety settings from a seeded <see cref="Random"/>, drawn from small pools so rules often bite.</summary>
public static class GuardCaseGenerator
{
    private static readonly string[] TagKeys = ["chaos", "env", "team", "tier"];
    private static readonly string[] TagValues = ["opt-in", "exempt", "prod", "staging", "web", "db", ""];
    private static readonly string[] Regions = ["us-east-1", "us-west-2", "eu-west-1", "ap-south-1"];
    private static readonly string[] Accounts = ["111111111111", "222222222222", "333333333333"];
    private static readonly string[] Zones = ["a", "b", "c"];

    /// <summary>Real zones with odd offsets and DST rules, plus ids that do not exist (the check must then refuse).</summary>
    public static readonly string[] TimeZones =
    [
        "UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns",
        "Pacific/Kiritimati", "Etc/GMT+12", "Asia/Kathmandu", "Europe/London", "America/Santiago", "Africa/Casablanca",
        "Mars/Olympus_Mons", "",
    ];

    public static GuardCase Make(Random r)
    {
        var targets = new List<TargetCase>();
        var shared = new List<Resource>();
        for (var t = 0; t < 1 + r.Next(3); t++)
        {
            var type = FleetWorld.TypeNames[r.Next(10) switch { < 6 => 0, < 8 => 1, _ => 2 }];
            var resources = new List<Resource>();
            for (var i = 0; i < r.Next(r.Next(2) == 0 ? 8 : 40); i++)
            {
                // Sometimes the same resource is matched by two targets.
                if (shared.Count > 0 && r.Next(8) == 0) resources.Add(shared[r.Next(shared.Count)]);
                else resources.Add(Resource(r, $"t{t}-{i:x3}", type));
            }
            resources = resources.DistinctBy(x => x.Id).ToList();
            shared.AddRange(resources);
            var irreversible = r.Next(4) == 0;
            targets.Add(new TargetCase($"target{t}", type, Pick(r), resources, irreversible, irreversible && r.Next(3) != 0, Optional: r.Next(2) == 0));
        }
        var safety = new SafetySpec
        {
            MaxTargets = r.Next(3) == 0 ? null : r.Next(0, 30),
            MaxPercent = r.Next(3) == 0 ? null : r.Next(4) switch { 0 => r.Next(0, 101), 1 => Math.Round(r.NextDouble() * 100, 1), 2 => r.NextDouble() * 100, _ => 100 },
            RequireTags = Tags(r, r.Next(3) == 0 ? 0 : r.Next(3)),
            ExcludeTags = Tags(r, r.Next(2) == 0 ? 0 : r.Next(3)),
            AllowedRegions = r.Next(3) == 0 ? null : Subset(r, Regions),
            AllowedAccounts = r.Next(3) == 0 ? null : Subset(r, Accounts),
            Window = r.Next(3) == 0 ? null : Window(r),
        };
        var now = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(r.NextInt64(0, 40L * 365 * 24 * 3600));
        if (safety.Window is { } w && r.Next(3) == 0 && AtEdge(r, w, now) is { } edge) now = edge;
        var everything = targets.SelectMany(t => t.Resources.Select(x => (t.Type, x.Id))).Distinct().ToList();
        var held = r.Next(5) == 0 && everything.Count > 0 ? everything.Where(_ => r.Next(6) == 0).ToList() : [];
        return new GuardCase(targets, safety, now, r.NextInt64(), r.Next(6) == 0 ? r.Next(9) : null, held);
    }

    /// <summary>An instant a second or a minute either side of the window's start or end, local time, on the same day.</summary>
    private static DateTimeOffset? AtEdge(Random r, WindowSpec w, DateTimeOffset day)
    {
        try
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(w.TimeZoneId);
            var local = TimeZoneInfo.ConvertTime(day, zone).DateTime.Date + (r.Next(2) == 0 ? w.Start : w.End).ToTimeSpan();
            local = local.AddSeconds(new[] { -60, -1, 0, 0, 1, 59 }[r.Next(6)]);
            return TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            // Unknown zone, or a local time that a DST change skips: keep the random instant.
            return null;
        }
    }

    private static Resource Resource(Random r, string id, string type) => new()
    {
        Id = id,
        // Local kinds have no tags; cloud resources occasionally have unknown tags.
        Tags = type == FleetWorld.Local && r.Next(3) != 0 || r.Next(12) == 0 ? null : Tags(r, r.Next(4)),
        Region = r.Next(8) == 0 ? null : Regions[r.Next(Regions.Length)],
        Account = r.Next(8) == 0 ? null : Accounts[r.Next(Accounts.Length)],
        Zone = r.Next(6) == 0 ? null : Zones[r.Next(Zones.Length)],
    };

    private static PickSpec Pick(Random r)
    {
        var per = r.Next(4) == 0 ? new[] { "zone", "region", "tag:team", "tag:env" }[r.Next(4)] : null;
        return r.Next(3) switch
        {
            0 => PickSpec.All with { Per = per },
            1 => new PickSpec(1 + r.Next(r.Next(2) == 0 ? 3 : 50), null, per),
            _ => new PickSpec(null, r.Next(3) == 0 ? r.Next(1, 101) : 0.0001 + r.NextDouble() * 99.9999, per),
        };
    }

    private static Dictionary<string, string> Tags(Random r, int count)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++) tags[TagKeys[r.Next(TagKeys.Length)]] = TagValues[r.Next(TagValues.Length)];
        return tags;
    }

    private static List<string> Subset(Random r, string[] pool) => pool.Where(_ => r.Next(2) == 0).ToList();

    private static WindowSpec Window(Random r)
    {
        var days = Enum.GetValues<DayOfWeek>().Where(_ => r.Next(3) != 0).ToList();
        var start = new TimeOnly(r.Next(24), r.Next(4) * 15);
        TimeOnly end;
        do end = new TimeOnly(r.Next(24), r.Next(2) == 0 ? r.Next(60) : 0); while (end == start);
        return new WindowSpec(days, start, end, TimeZones[r.Next(TimeZones.Length)]);
    }
}
