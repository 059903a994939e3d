using Amazon.EC2.Model;
using Simian.Core.Diagnostics;
using Simian.Core.Yaml;

namespace Simian.Aws.Ec2;

/// <summary>
/// The <c>aws:ec2:instance</c> selector. Every key narrows the match (they are ANDed); the values of one list
/// are alternatives, except <c>tagKeys</c>, which must all be present. Values may use EC2's <c>*</c> and <c>?</c>.
/// </summary>
internal sealed record Ec2Selector(
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<string> TagKeys,
    IReadOnlyList<string> Ids,
    IReadOnlyList<string> States,
    IReadOnlyList<string> Zones,
    IReadOnlyList<string> InstanceTypes,
    IReadOnlyList<string> AutoScalingGroups,
    IReadOnlyList<string> VpcIds,
    IReadOnlyList<string> SubnetIds)
{
    /// <summary>
    /// Lifecycles to keep: <c>normal</c> (on-demand), <c>spot</c>, <c>scheduled</c>, <c>capacity-block</c>; empty keeps all.
    /// Matched here, not by EC2: its <c>instance-lifecycle</c> filter cannot name on-demand instances.
    /// </summary>
    public IReadOnlyList<string> Lifecycles { get; init; } = [];

    public static readonly string[] KnownLifecycles = ["normal", "spot", "scheduled", "capacity-block"];

    public const string AsgTag = "aws:autoscaling:groupName";

    /// <summary>EC2 accepts at most this many values in one filter.</summary>
    public const int MaxValues = 200;

    public static readonly string[] Keys =
        ["tags", "tagKeys", "ids", "states", "zones", "instanceTypes", "autoScalingGroups", "vpcIds", "subnetIds", "lifecycles"];

    public static readonly string[] KnownStates = ["pending", "running", "stopping", "stopped", "shutting-down", "terminated"];

    /// <summary>
    /// Without <c>states</c>, every instance that is still alive: terminated ones (and those shutting down on the way
    /// there) cannot be experimented on.
    /// </summary>
    public static readonly string[] DefaultStates = ["pending", "running", "stopping", "stopped"];

    public static Ec2Selector Read(YMapping selector, DiagnosticBag diagnostics)
    {
        var r = new MapReader(selector, diagnostics, "aws:ec2:instance selector", Keys);
        var tags = r.StringMap("tags");
        if (tags is { Count: 0 }) diagnostics.Error(r.LocationOf("tags"), "'tags' must not be empty");
        var states = List(r, "states");
        foreach (var (state, i) in states.Select((s, i) => (s, i)))
        {
            if (!KnownStates.Contains(state))
            {
                var node = ((YSequence)r.Raw("states")!).Items[i];
                diagnostics.Error(node.Location, DidYouMean.Unknown("instance state", state, KnownStates));
            }
        }
        var ids = List(r, "ids");
        foreach (var (id, i) in ids.Select((s, i) => (s, i)))
        {
            if (!id.StartsWith("i-", StringComparison.Ordinal) || id.Length < 3)
            {
                diagnostics.Error(((YSequence)r.Raw("ids")!).Items[i].Location, $"'{id}' is not an instance id (i-…)");
            }
        }
        var result = new Ec2Selector(
            tags ?? new Dictionary<string, string>(),
            List(r, "tagKeys"),
            ids,
            states.Count > 0 ? states : DefaultStates,
            List(r, "zones"),
            List(r, "instanceTypes"),
            List(r, "autoScalingGroups"),
            List(r, "vpcIds"),
            List(r, "subnetIds"))
        {
            Lifecycles = List(r, "lifecycles"),
        };
        foreach (var (lifecycle, i) in result.Lifecycles.Select((s, i) => (s, i)))
        {
            if (!KnownLifecycles.Contains(lifecycle))
            {
                diagnostics.Error(((YSequence)r.Raw("lifecycles")!).Items[i].Location, DidYouMean.Unknown("lifecycle", lifecycle, KnownLifecycles));
            }
        }
        if (result.Tags.Count == 0 && Keys.Where(k => k is not ("tags" or "states" or "lifecycles")).All(k => !r.Has(k)))
        {
            diagnostics.Error(selector.Location,
                "aws:ec2:instance selector needs at least one of tags, tagKeys, ids, zones, instanceTypes, autoScalingGroups, vpcIds or subnetIds "
                + "(an empty selector would match every instance in the region)");
        }
        return result;
    }

    /// <summary>Server-side filters for DescribeInstances.</summary>
    public List<Filter> Filters()
    {
        var filters = new List<Filter>();
        foreach (var (key, value) in Tags) filters.Add(new Filter("tag:" + key, [value]));
        if (TagKeys.Count > 0) filters.Add(new Filter("tag-key", TagKeys.ToList()));
        if (Ids.Count > 0) filters.Add(new Filter("instance-id", Ids.ToList()));
        filters.Add(new Filter("instance-state-name", States.ToList()));
        if (Zones.Count > 0) filters.Add(new Filter("availability-zone", Zones.ToList()));
        if (InstanceTypes.Count > 0) filters.Add(new Filter("instance-type", InstanceTypes.ToList()));
        if (AutoScalingGroups.Count > 0) filters.Add(new Filter("tag:" + AsgTag, AutoScalingGroups.ToList()));
        if (VpcIds.Count > 0) filters.Add(new Filter("vpc-id", VpcIds.ToList()));
        if (SubnetIds.Count > 0) filters.Add(new Filter("subnet-id", SubnetIds.ToList()));
        return filters;
    }

    /// <summary>
    /// What the server cannot express: one <c>tag-key</c> filter matches any of its keys, but every listed key
    /// must be present.
    /// </summary>
    public bool Matches(Instance instance)
    {
        if (Lifecycles.Count > 0 && !Lifecycles.Contains(Ec2Instances.Lifecycle(instance))) return false;
        if (TagKeys.Count <= 1) return true;
        var keys = (instance.Tags ?? []).Select(t => t.Key).ToList();
        return TagKeys.All(pattern => keys.Any(k => Wildcard(pattern, k)));
    }

    /// <summary>A selector's list of values: not empty, no empty value, at most what EC2 takes in one filter.</summary>
    internal static IReadOnlyList<string> List(MapReader r, string key)
    {
        var list = r.StringList(key);
        if (list is null) return [];
        if (list.Count == 0) r.Diagnostics.Error(r.LocationOf(key), $"'{key}' must not be empty (leave it out instead)");
        if (list.Count > MaxValues) r.Diagnostics.Error(r.LocationOf(key), $"'{key}' lists {list.Count} values; EC2 takes at most {MaxValues}");
        if (list.Any(v => v.Length == 0)) r.Diagnostics.Error(r.LocationOf(key), $"'{key}' must not contain empty values");
        return list;
    }

    /// <summary>EC2's filter wildcards: <c>*</c> any run of characters, <c>?</c> one character, <c>\</c> escapes.</summary>
    internal static bool Wildcard(string pattern, string value)
    {
        int p = 0, v = 0, star = -1, mark = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && pattern[p] == '\\' && p + 1 < pattern.Length && pattern[p + 1] == value[v]) { p += 2; v++; }
            else if (p < pattern.Length && (pattern[p] == '?' || (pattern[p] != '*' && pattern[p] != '\\' && pattern[p] == value[v]))) { p++; v++; }
            else if (p < pattern.Length && pattern[p] == '*') { star = p++; mark = v; }
            else if (star >= 0) { p = star + 1; v = ++mark; }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
