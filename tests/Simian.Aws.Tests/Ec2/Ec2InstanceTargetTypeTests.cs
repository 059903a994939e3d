using System.Diagnostics;
using Simian.Aws.Tests.TestSupport;
using Simian.Core;
using Simian.Core.Planning;
using Simian.Core.Profiles;
using Simian.Core.Providers;

namespace Simian.Aws.Tests.Ec2;

public sealed class Ec2InstanceTargetTypeTests
{
    private const string Type = "aws:ec2:instance";

    private static async Task<string[]> Ids(AwsSandbox sandbox, string selector) =>
        (await sandbox.ResolveAsync(Type, selector)).Select(r => r.Id).Order(StringComparer.Ordinal).ToArray();

    [Fact(Timeout = 30_000)]
    public async Task Tags_match_every_live_instance_with_those_tags_but_not_terminated_ones()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        Assert.Equal(["i-00000000000000off", "i-0000000000000web1", "i-0000000000000web2"], await Ids(sandbox, "tags: {app: web}"));
        Assert.Equal(["i-0000000000000web1", "i-0000000000000web2"], await Ids(sandbox, "tags: {app: web, chaos: opt-in}"));
        Assert.Equal(["i-0000000000000web1", "i-0000000000000web2"], await Ids(sandbox, "tags: {app: 'w*'}\nstates: [running]"));
    }

    [Fact(Timeout = 30_000)]
    public async Task TagKeys_need_every_listed_key()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        Assert.Equal(["i-000000000000othr1"], await Ids(sandbox, "tagKeys: [team]"));
        Assert.Equal(["i-0000000000000web1", "i-0000000000000web2", "i-000000000000spot1"], await Ids(sandbox, "tagKeys: [app, chaos]"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Ids_states_zones_types_vpcs_and_subnets_narrow_the_match()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        Assert.Equal(["i-0000000000000api1", "i-0000000000000web2"], await Ids(sandbox, "ids: [i-0000000000000web2, i-0000000000000api1, i-0000000000000404]"));
        Assert.Equal(["i-00000000000000off"], await Ids(sandbox, "tagKeys: [app]\nstates: [stopped]"));
        Assert.Equal(["i-0000000000000dead"], await Ids(sandbox, "tagKeys: [app]\nstates: [terminated]"));
        Assert.Equal(["i-000000000000spot1"], await Ids(sandbox, "zones: [us-east-1c]"));
        Assert.Equal(["i-0000000000000api1", "i-000000000000spot1"], await Ids(sandbox, "instanceTypes: [m5.large, c5.xlarge]"));
        Assert.Equal(["i-000000000000othr1"], await Ids(sandbox, "vpcIds: [vpc-other]"));
        Assert.Equal(["i-000000000000othr1"], await Ids(sandbox, "subnetIds: [subnet-other]"));
        Assert.Equal(["i-0000000000000web2"], await Ids(sandbox, "zones: [us-east-1b]\ninstanceTypes: [t3.micro]\nstates: [running]"));
    }

    [Fact(Timeout = 30_000)]
    public async Task AutoScalingGroups_match_the_group_name_tag()
    {
        await using var sandbox = await AwsSandbox.StartAsync(TestFleets.Generated(100));
        var found = await sandbox.ResolveAsync(Type, "autoScalingGroups: [fleet-asg-03, fleet-asg-07]");
        Assert.Equal(20, found.Count);
        Assert.All(found, r => Assert.Contains(r.Attribute("autoScalingGroup"), new[] { "fleet-asg-03", "fleet-asg-07" }));
    }

    [Fact(Timeout = 30_000)]
    public async Task Resources_carry_region_account_zone_label_and_attributes()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        var all = (await sandbox.ResolveAsync(Type, "tagKeys: [app]")).ToDictionary(r => r.Id);

        var web1 = all["i-0000000000000web1"];
        Assert.Equal("us-east-1", web1.Region);
        Assert.Equal(TestFleets.Account, web1.Account);
        Assert.Equal("us-east-1a", web1.Zone);
        Assert.Equal("web-1", web1.Label);
        Assert.Equal("web", web1.Tags!["app"]);
        Assert.Equal("running", web1.Attribute("state"));
        Assert.Equal("t3.micro", web1.Attribute("instanceType"));
        Assert.Equal("normal", web1.Attribute("lifecycle"));
        Assert.Null(web1.Attribute("autoScalingGroup"));

        Assert.Equal("t3.micro", all["i-0000000000000web2"].Label);
        Assert.Equal("spot", all["i-000000000000spot1"].Attribute("lifecycle"));
        Assert.Equal("stopped", all["i-00000000000000off"].Attribute("state"));
        Assert.Equal("api-asg", all["i-0000000000000api1"].Attribute("asg"));
        Assert.Equal("api-asg", all["i-0000000000000api1"].Attribute("autoScalingGroup"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Pages_through_2500_instances_and_asks_sts_once()
    {
        await using var sandbox = await AwsSandbox.StartAsync(TestFleets.Generated(2500));
        var found = await sandbox.ResolveAsync(Type, "tags: {app: fleet}");
        Assert.Equal(2500, found.Select(r => r.Id).Distinct().Count());
        Assert.Equal(50, found.Count(r => r.Attribute("lifecycle") == "spot"));
        // A listing shares repeated strings (what keeps a plan over 100,000 instances small): one object per zone
        // and per tag key across all 2,500 instances, not one each.
        Assert.Equal(found.Select(r => r.Zone).Distinct().Count(), found.Select(r => (object?)r.Zone).Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.Equal(found.SelectMany(r => r.Tags!.Keys).Distinct().Count(), found.SelectMany(r => r.Tags!.Keys).Distinct(ReferenceEqualityComparer.Instance).Count());
        await sandbox.ResolveAsync(Type, "tags: {app: web}");

        var calls = sandbox.State.CallCounts();
        Assert.Equal(4, calls["ec2:DescribeInstances"]);
        Assert.Equal(1, calls["sts:GetCallerIdentity"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Resolves_10000_instances_quickly()
    {
        await using var sandbox = await AwsSandbox.StartAsync(TestFleets.Generated(10_000));
        await sandbox.ResolveAsync(Type, "ids: [i-0000000000000web1]");
        var clock = Stopwatch.StartNew();
        var found = await sandbox.ResolveAsync(Type, "tags: {chaos: opt-in}\nstates: [running]");
        clock.Stop();
        Assert.Equal(10_003, found.Count);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"resolving took {clock.Elapsed}");
    }

    [Fact(Timeout = 30_000)]
    public async Task Pick_per_zone_asg_region_and_tag_groups_by_what_the_resources_carry()
    {
        await using var sandbox = await AwsSandbox.StartAsync(TestFleets.Generated(300));
        var type = sandbox.Type(Type);
        Assert.True(type.SupportsPer("zone"));
        Assert.True(type.SupportsPer("region"));
        Assert.True(type.SupportsPer("autoScalingGroup"));
        Assert.True(type.SupportsPer("tag:team"));
        Assert.False(type.SupportsPer("tag:"));
        Assert.False(type.SupportsPer("subnet"));

        var found = await sandbox.ResolveAsync(Type, "tags: {app: fleet}");
        Assert.Equal(3, Picker.Pick(found, new PickSpec(1, null, "zone"), 7, "t").Selected.Select(r => r.Zone).Distinct().Count());
        Assert.Equal(10, Picker.Pick(found, new PickSpec(1, null, "autoScalingGroup"), 7, "t").Selected.Count);
        Assert.Single(Picker.Pick(found, new PickSpec(1, null, "region"), 7, "t").Selected);
        Assert.Equal(10, Picker.Pick(found, new PickSpec(1, null, "tag:aws:autoscaling:groupName"), 7, "t").Selected.Count);
    }

    [Fact]
    public void Selector_errors_are_located_and_suggest_the_right_key()
    {
        var type = new AwsProvider(TimeProvider.System, _ => null).TargetTypes.Single(t => t.Name == Type);
        var errors = Yaml.Errors(d => type.ValidateSelector(Yaml.Map("tag: {app: web}\nstates: [runing]\nids: [web1]\nzones: []"), d));
        Assert.Contains(errors, e => e.StartsWith("1:1: ", StringComparison.Ordinal) && e.Contains("'tag'") && e.Contains("tags"));
        Assert.Contains(errors, e => e.StartsWith("2:10: ", StringComparison.Ordinal) && e.Contains("'runing'") && e.Contains("running"));
        Assert.Contains(errors, e => e.StartsWith("3:7: ", StringComparison.Ordinal) && e.Contains("'web1' is not an instance id"));
        Assert.Contains(errors, e => e.StartsWith("4:1: ", StringComparison.Ordinal) && e.Contains("'zones' must not be empty"));

        Assert.Contains(Yaml.Errors(d => type.ValidateSelector(Yaml.Map("states: [running]"), d)), e => e.Contains("needs at least one of"));
        Assert.Empty(Yaml.Errors(d => type.ValidateSelector(Yaml.Map("tags: {app: web}\nstates: [running, stopped]"), d)));
    }

    [Fact(Timeout = 30_000)]
    public async Task Without_a_caller_identity_nothing_is_resolved()
    {
        // Fail closed: STS refuses the key, so the account is unknown and no resource is returned.
        await using var sandbox = await AwsSandbox.StartAsync(configure: o => new() { Fleet = o.Fleet, RequireKnownKeys = true }, accessKey: "AKIAUNKNOWNKEY000000", secret: "s3cr3t-value");
        var e = await Assert.ThrowsAsync<ProviderException>(() => sandbox.ResolveAsync(Type, "tags: {app: web}"));
        Assert.Contains("cannot identify the caller", e.Message);
        Assert.Contains("access denied", e.Message);
        Assert.DoesNotContain("AKIAUNKNOWNKEY000000", e.Message);
        Assert.DoesNotContain("s3cr3t-value", e.Message);
        Assert.False(sandbox.State.CallCounts().ContainsKey("ec2:DescribeInstances"));
    }
}
