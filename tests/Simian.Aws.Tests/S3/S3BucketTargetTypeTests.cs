using Simian.Aws.Tests.TestSupport;
using Simian.Core;

namespace Simian.Aws.Tests.S3;

public sealed class S3BucketTargetTypeTests
{
    private const string Type = "aws:s3:bucket";

    private static async Task<string[]> Names(AwsSandbox sandbox, string selector) =>
        (await sandbox.ResolveAsync(Type, selector)).Select(r => r.Id).ToArray();

    [Fact(Timeout = 30_000)]
    public async Task Names_prefix_and_tags_select_buckets()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        Assert.Equal(["billing-data", "site-assets"], await Names(sandbox, "names: [site-assets, billing-data]"));
        Assert.Equal(["site-assets", "site-logs"], await Names(sandbox, "prefix: site-"));
        Assert.Equal(["site-assets"], await Names(sandbox, "tags: {chaos: opt-in}"));
        Assert.Equal(["site-logs"], await Names(sandbox, "prefix: site-\ntags: {chaos: 'no'}"));
        Assert.Empty(await Names(sandbox, "names: [billing-data]\ntags: {chaos: opt-in}"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Buckets_carry_tags_region_and_account()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        var assets = await sandbox.BucketAsync("site-assets");
        Assert.Equal("opt-in", assets.Tags!["chaos"]);
        Assert.Equal("us-east-1", assets.Region);
        Assert.Equal(TestFleets.Account, assets.Account);
        // A bucket without a tag set (NoSuchTagSet) simply has no tags.
        Assert.Empty((await sandbox.BucketAsync("billing-data")).Tags!);
    }

    /// <summary>
    /// A bucket another account owns is never a target: every call names the caller's account as the expected
    /// owner, S3 refuses it (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html),
    /// and the plan shows the bucket as protected, with why.
    /// </summary>
    [Fact(Timeout = 30_000)]
    public async Task A_bucket_owned_by_another_account_is_protected_with_why()
    {
        var fleet = TestFleets.Extended();
        fleet.Buckets.Add(new Simian.Sandbox.FleetBucket { Name = "partner-data", Owner = "210987654321", Tags = { ["chaos"] = "opt-in" } });
        await using var sandbox = await AwsSandbox.StartAsync(fleet);
        var resolved = await sandbox.ResolveAsync(Type, "names: [partner-data, site-assets]");
        var partner = Assert.Single(resolved, r => r.Id == "partner-data");
        Assert.StartsWith("not owned by account 123456789012", partner.Protected, StringComparison.Ordinal);
        Assert.Null(Assert.Single(resolved, r => r.Id == "site-assets").Protected);
        // Listing by prefix never shows another account's bucket (ListBuckets lists the caller's own).
        Assert.DoesNotContain("partner-data", await Names(sandbox, "prefix: p"));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_unknown_bucket_is_a_provider_error_that_names_it()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        var e = await Assert.ThrowsAsync<ProviderException>(() => sandbox.ResolveAsync(Type, "names: [no-such-bucket]"));
        Assert.Equal("cannot read bucket 'no-such-bucket': the bucket does not exist (NoSuchBucket)", e.Message);
    }

    [Fact]
    public void Selector_errors_are_located()
    {
        var type = new AwsProvider(TimeProvider.System, _ => null).TargetTypes.Single(t => t.Name == Type);
        var errors = Yaml.Errors(d => type.ValidateSelector(Yaml.Map("name: [a]\nnames: [Bad_Name]"), d));
        Assert.Contains(errors, e => e.StartsWith("1:1: ", StringComparison.Ordinal) && e.Contains("did you mean 'names'"));
        Assert.Contains(errors, e => e.StartsWith("2:9: ", StringComparison.Ordinal) && e.Contains("'Bad_Name' is not a valid S3 bucket name"));
        Assert.Contains(Yaml.Errors(d => type.ValidateSelector(Yaml.Map("{}"), d)), e => e.Contains("needs names, prefix or tags"));
        Assert.Empty(Yaml.Errors(d => type.ValidateSelector(Yaml.Map("prefix: site-\ntags: {chaos: opt-in}"), d)));
    }
}
