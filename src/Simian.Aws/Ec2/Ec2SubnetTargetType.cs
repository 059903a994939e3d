using System.Globalization;
using Amazon.EC2.Model;
using Simian.Aws.Clients;
using Simian.Aws.Faults;
using Simian.Core.Diagnostics;
using Simian.Core.Profiles;
using Simian.Core.Providers;
using Simian.Core.Yaml;

namespace Simian.Aws.Ec2;

/// <summary>
/// <c>aws:ec2:subnet</c>: VPC subnets in the settings' region, by <c>ids</c>, <c>zones</c>, <c>tags</c> and
/// <c>vpcIds</c> (ANDed; values may use EC2's <c>*</c> and <c>?</c>). Each subnet is shown with the instances in it,
/// because cutting a subnet's network cuts theirs: that is the real blast radius.
/// </summary>
internal sealed class Ec2SubnetTargetType : ITargetType
{
    private const int PageSize = 1000;
    private const int ShownInstances = 5;
    private readonly AwsSessions _sessions;

    public Ec2SubnetTargetType(AwsSessions sessions)
    {
        _sessions = sessions;
        Faults = [new NetworkBlackholeFault(sessions)];
    }

    public string Name => "aws:ec2:subnet";

    /// <summary>Region, account and tags, and each subnet sits in one availability zone.</summary>
    public TargetTraits Traits => TargetTraits.Cloud with { Zoned = true };

    public IReadOnlyList<IFault> Faults { get; }

    public bool SupportsPer(string per) => per is "zone" or "region" || Simian.Core.Planning.Picker.IsTagPer(per);

    public IReadOnlyList<string> SelectorKeys => SubnetSelector.Keys;

    public void ValidateSelector(YMapping selector, DiagnosticBag diagnostics) => SubnetSelector.Read(selector, diagnostics);

    public async Task<IReadOnlyList<Resource>> ResolveAsync(TargetSpec target, ProviderSettings settings, CancellationToken cancellationToken)
    {
        var selector = SubnetSelector.Read(target.Selector, new DiagnosticBag());
        var session = _sessions.Get(settings.Values);
        // Fail closed: without the account the guard cannot check allowedAccounts, so nothing is listed.
        var caller = await session.CallerAsync(cancellationToken).ConfigureAwait(false);
        var subnets = new List<Subnet>();
        string? token = null;
        do
        {
            var request = new DescribeSubnetsRequest { Filters = selector.Filters(), MaxResults = PageSize, NextToken = token };
            var page = await session.CallAsync("cannot list subnets (ec2:DescribeSubnets)",
                ct => session.Ec2.DescribeSubnetsAsync(request, ct), cancellationToken).ConfigureAwait(false);
            subnets.AddRange(page.Subnets ?? []);
            token = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
        }
        while (token is not null);

        var instances = await InstancesAsync(session, subnets.Select(s => s.SubnetId).ToList(), cancellationToken).ConfigureAwait(false);
        var scope = session.Scope(caller.Account, session.Region);
        return subnets.OrderBy(s => s.SubnetId, StringComparer.Ordinal).Select(s =>
        {
            var inside = instances.GetValueOrDefault(s.SubnetId) ?? [];
            var shown = string.Join(", ", inside.Take(ShownInstances)) + (inside.Count > ShownInstances ? ", …" : "");
            return new Resource
            {
                Id = s.SubnetId,
                Label = $"{s.AvailabilityZone} {s.CidrBlock}, {Count(inside.Count)}{(inside.Count > 0 ? ": " + shown : "")}",
                Region = session.Region,
                Account = caller.Account,
                Zone = s.AvailabilityZone,
                Tags = (s.Tags ?? []).Where(t => t.Key is not null).GroupBy(t => t.Key).ToDictionary(g => g.Key, g => g.Last().Value ?? "", StringComparer.Ordinal),
                Attributes = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["vpcId"] = s.VpcId ?? "",
                    ["cidr"] = s.CidrBlock ?? "",
                    ["instances"] = string.Join(",", inside),
                },
                Scope = scope,
            };
        }).ToList();
    }

    private static string Count(int n) => n == 1 ? "1 instance" : $"{n.ToString(CultureInfo.InvariantCulture)} instances";

    /// <summary>The ids of the live instances in each of the subnets.</summary>
    private static async Task<Dictionary<string, List<string>>> InstancesAsync(AwsSession session, List<string> subnets, CancellationToken cancellationToken)
    {
        var bySubnet = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var chunk in subnets.Chunk(Ec2Selector.MaxValues))
        {
            string? token = null;
            do
            {
                var request = new DescribeInstancesRequest
                {
                    Filters =
                    [
                        new Filter("subnet-id", [.. chunk]),
                        new Filter("instance-state-name", [.. Ec2Selector.DefaultStates]),
                    ],
                    MaxResults = PageSize,
                    NextToken = token,
                };
                var page = await session.CallAsync("cannot list the instances in the subnets (ec2:DescribeInstances)",
                    ct => session.Ec2.DescribeInstancesAsync(request, ct), cancellationToken).ConfigureAwait(false);
                foreach (var instance in (page.Reservations ?? []).SelectMany(r => r.Instances ?? []))
                {
                    if (instance.SubnetId is not { } subnet) continue;
                    if (!bySubnet.TryGetValue(subnet, out var list)) bySubnet[subnet] = list = [];
                    list.Add(instance.InstanceId);
                }
                token = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
            }
            while (token is not null);
        }
        foreach (var list in bySubnet.Values) list.Sort(StringComparer.Ordinal);
        return bySubnet;
    }
}

/// <summary>The <c>aws:ec2:subnet</c> selector: every key narrows the match; the values of one list are alternatives.</summary>
internal sealed record SubnetSelector(IReadOnlyList<string> Ids, IReadOnlyList<string> Zones, IReadOnlyDictionary<string, string> Tags, IReadOnlyList<string> VpcIds)
{
    public static readonly string[] Keys = ["ids", "zones", "tags", "vpcIds"];

    public static SubnetSelector Read(YMapping selector, DiagnosticBag diagnostics)
    {
        var r = new MapReader(selector, diagnostics, "aws:ec2:subnet selector", Keys);
        var tags = r.StringMap("tags");
        if (tags is { Count: 0 }) diagnostics.Error(r.LocationOf("tags"), "'tags' must not be empty");
        var ids = Ec2Selector.List(r, "ids");
        foreach (var (id, i) in ids.Select((s, i) => (s, i)))
        {
            if (!id.StartsWith("subnet-", StringComparison.Ordinal) || id.Length <= "subnet-".Length)
            {
                diagnostics.Error(((YSequence)r.Raw("ids")!).Items[i].Location, $"'{id}' is not a subnet id (subnet-…)");
            }
        }
        var result = new SubnetSelector(ids, Ec2Selector.List(r, "zones"), tags ?? new Dictionary<string, string>(), Ec2Selector.List(r, "vpcIds"));
        if (result.Ids.Count == 0 && result.Zones.Count == 0 && result.Tags.Count == 0 && result.VpcIds.Count == 0)
        {
            diagnostics.Error(selector.Location,
                "aws:ec2:subnet selector needs at least one of ids, zones, tags or vpcIds (an empty selector would match every subnet in the region)");
        }
        return result;
    }

    /// <summary>Server-side filters for DescribeSubnets.</summary>
    public List<Filter> Filters()
    {
        var filters = new List<Filter>();
        if (Ids.Count > 0) filters.Add(new Filter("subnet-id", [.. Ids]));
        if (Zones.Count > 0) filters.Add(new Filter("availability-zone", [.. Zones]));
        if (VpcIds.Count > 0) filters.Add(new Filter("vpc-id", [.. VpcIds]));
        foreach (var (key, value) in Tags) filters.Add(new Filter("tag:" + key, [value]));
        return filters;
    }
}
