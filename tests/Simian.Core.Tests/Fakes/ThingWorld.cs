using Simian.Core.Providers;

namespace Simian.Core.Tests.Fakes;

/// <summary>
/// One provider <c>test</c> with one type <c>test:thing</c> whose resources the test sets, and three faults:
/// <c>break</c> (reversible), <c>slow</c> (reversible, kept alive while held) and <c>kill</c> (irreversible).
/// </summary>
public sealed class ThingWorld
{
    public ThingWorld(params Resource[] resources)
    {
        Break = new FakeFault("break", Log);
        Slow = new FakeKeepAliveFault("slow", Log, TimeSpan.FromMilliseconds(50));
        Kill = new FakeFault("kill", Log) { Reversible = false };
        Thing = new FakeTargetType("test:thing", Break, Slow, Kill)
        {
            PerKeys = ["zone", "region", "tag:team"],
            Resources = resources,
        };
        Provider = new FakeProvider("test", ["endpoint"], Thing);
        Registry = new ProviderRegistry([Provider]);
    }

    public CallLog Log { get; } = new();
    public FakeFault Break { get; }
    public FakeKeepAliveFault Slow { get; }
    public FakeFault Kill { get; }
    public FakeTargetType Thing { get; }
    public FakeProvider Provider { get; }
    public ProviderRegistry Registry { get; }

    public static Resource R(string id, string? region = null, string? account = null, string? zone = null, params (string Key, string Value)[] tags) => new()
    {
        Id = id,
        Label = $"label of {id}",
        Region = region,
        Account = account,
        Zone = zone,
        Tags = tags.Length == 0 ? new Dictionary<string, string>() : tags.ToDictionary(t => t.Key, t => t.Value),
        Attributes = new Dictionary<string, string> { ["home"] = $"/things/{id}" },
    };

    public static Resource[] Many(int n, string prefix = "t") =>
        Enumerable.Range(1, n).Select(i => R($"{prefix}{i}")).ToArray();
}
