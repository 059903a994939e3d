using Simian.Aws.Clients;
using Simian.Aws.Faults;
using Simian.Core.Diagnostics;
using Simian.Core.Profiles;
using Simian.Core.Providers;
using Simian.Core.Yaml;

namespace Simian.Aws.AutoScaling;

/// <summary><c>aws:autoscaling:group</c>: Auto Scaling groups in the settings' region, by <c>names</c> and <c>tags</c> (both must match).</summary>
internal sealed class AutoScalingGroupTargetType : ITargetType
{
    private readonly AwsSessions _sessions;

    public AutoScalingGroupTargetType(AwsSessions sessions)
    {
        _sessions = sessions;
        Faults = [new ZoneImpairFault(sessions)];
    }

    public string Name => "aws:autoscaling:group";

    public IReadOnlyList<IFault> Faults { get; }

    public bool SupportsPer(string per) => per is "region" || Simian.Core.Planning.Picker.IsTagPer(per);

    public IReadOnlyList<string> SelectorKeys => GroupSelector.Keys;

    public void ValidateSelector(YMapping selector, DiagnosticBag diagnostics) => GroupSelector.Read(selector, diagnostics);

    public async Task<IReadOnlyList<Resource>> ResolveAsync(TargetSpec target, ProviderSettings settings, CancellationToken cancellationToken)
    {
        var selector = GroupSelector.Read(target.Selector, new DiagnosticBag());
        var session = _sessions.Get(settings.Values);
        // Fail closed: without the account the guard cannot check allowedAccounts, so nothing is listed.
        var caller = await session.CallerAsync(cancellationToken).ConfigureAwait(false);
        var groups = await session.CallAsync("cannot list Auto Scaling groups (autoscaling:DescribeAutoScalingGroups)",
            ct => session.AutoScaling.DescribeGroupsAsync(selector.Names.Count > 0 ? selector.Names : null, ct), cancellationToken).ConfigureAwait(false);
        var scope = session.Scope(caller.Account, session.Region);
        return groups
            .Where(g => selector.Tags.All(t => g.Tags.TryGetValue(t.Key, out var v) && v == t.Value))
            .OrderBy(g => g.Name, StringComparer.Ordinal)
            .Select(g => new Resource
            {
                Id = g.Name,
                Label = $"zones {string.Join(", ", g.Zones)}; subnets {g.VpcZoneIdentifier}",
                Region = session.Region,
                Account = caller.Account,
                Tags = g.Tags,
                Attributes = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["zones"] = string.Join(",", g.Zones),
                    ["subnets"] = g.VpcZoneIdentifier,
                },
                Scope = scope,
            }).ToList();
    }
}

/// <summary>The <c>aws:autoscaling:group</c> selector: <c>names</c> (exact) and <c>tags</c> (every one must match).</summary>
internal sealed record GroupSelector(IReadOnlyList<string> Names, IReadOnlyDictionary<string, string> Tags)
{
    public static readonly string[] Keys = ["names", "tags"];

    public static GroupSelector Read(YMapping selector, DiagnosticBag diagnostics)
    {
        var r = new MapReader(selector, diagnostics, "aws:autoscaling:group selector", Keys);
        var names = r.StringList("names");
        if (names is { Count: 0 }) diagnostics.Error(r.LocationOf("names"), "'names' must not be empty (leave it out instead)");
        var tags = r.StringMap("tags");
        if (tags is { Count: 0 }) diagnostics.Error(r.LocationOf("tags"), "'tags' must not be empty");
        if (names is null && tags is null)
        {
            diagnostics.Error(selector.Location, "aws:autoscaling:group selector needs names or tags (an empty selector would match every group in the region)");
        }
        return new GroupSelector(names ?? [], tags ?? new Dictionary<string, string>());
    }
}
