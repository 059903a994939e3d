using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Simian.Sandbox.Tests.TestSupport;

namespace Simian.Sandbox.Tests.S3;

public sealed class PolicyEnforcementTests
{
    // The shape Simian's S3 deny fault uses: deny everyone except the role running the experiment.
    private const string DenyAllButGameDay = """
        {"Version":"2012-10-17","Statement":[{"Sid":"SimianDeny","Effect":"Deny","Principal":"*",
          "Action":["s3:GetObject","s3:PutObject","s3:ListBucket"],
          "Resource":["arn:aws:s3:::site-assets","arn:aws:s3:::site-assets/*"],
          "Condition":{"StringNotLike":{"aws:PrincipalArn":["arn:aws:iam::123456789012:role/GameDay"]}}}]}
        """;

    private static async Task<SandboxHarness> StartAsync(string? policy)
    {
        var fleet = TestFleets.Standard();
        fleet.Buckets.Add(new FleetBucket { Name = "site-assets", Policy = policy, Objects = { ["index.html"] = "<h1>hi</h1>" } });
        return await SandboxHarness.StartAsync(fleet);
    }

    private static async Task<string> ReadAsync(AmazonS3Client s3)
    {
        using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = "site-assets", Key = "index.html" });
        using var reader = new StreamReader(response.ResponseStream);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task A_deny_with_a_PrincipalArn_exception_blocks_other_identities_reads_and_lists()
    {
        await using var sandbox = await StartAsync(DenyAllButGameDay);
        var dev = sandbox.S3(TestFleets.DevKey, TestFleets.DevSecret);

        var get = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => ReadAsync(dev));
        var list = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() =>
            dev.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "site-assets" }));
        var put = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() =>
            dev.PutObjectAsync(new PutObjectRequest { BucketName = "site-assets", Key = "x", ContentBody = "x" }));

        Assert.Equal("AccessDenied", get.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, get.StatusCode);
        Assert.Equal("AccessDenied", list.ErrorCode);
        Assert.Equal("AccessDenied", put.ErrorCode);
    }

    [Fact]
    public async Task The_excepted_role_session_still_gets_through()
    {
        await using var sandbox = await StartAsync(DenyAllButGameDay);
        var gameDay = sandbox.S3();

        var content = await ReadAsync(gameDay);
        var list = await gameDay.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "site-assets" });

        Assert.Equal("<h1>hi</h1>", content);
        Assert.Equal(["index.html"], list.S3Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task Actions_the_deny_does_not_name_stay_allowed()
    {
        await using var sandbox = await StartAsync(DenyAllButGameDay);
        var dev = sandbox.S3(TestFleets.DevKey, TestFleets.DevSecret);

        await dev.DeleteObjectAsync(new DeleteObjectRequest { BucketName = "site-assets", Key = "index.html" });

        Assert.Empty(sandbox.State.ObjectKeys("site-assets"));
    }

    [Fact]
    public async Task Anonymous_callers_are_denied_by_a_Principal_star_deny()
    {
        await using var sandbox = await StartAsync(DenyAllButGameDay);

        var error = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => ReadAsync(sandbox.AnonymousS3()));

        Assert.Equal("AccessDenied", error.ErrorCode);
    }

    [Fact]
    public async Task Anonymous_callers_are_allowed_when_no_statement_denies_them()
    {
        await using var sandbox = await StartAsync(policy: null);

        Assert.Equal("<h1>hi</h1>", await ReadAsync(sandbox.AnonymousS3()));
    }

    [Fact]
    public async Task A_policy_put_through_the_api_is_enforced_at_once_and_lifted_on_delete()
    {
        await using var sandbox = await StartAsync(policy: null);
        var gameDay = sandbox.S3();
        var dev = sandbox.S3(TestFleets.DevKey, TestFleets.DevSecret);
        Assert.Equal("<h1>hi</h1>", await ReadAsync(dev));

        await gameDay.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = "site-assets", Policy = DenyAllButGameDay });
        await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => ReadAsync(dev));
        await gameDay.DeleteBucketPolicyAsync(new DeleteBucketPolicyRequest { BucketName = "site-assets" });

        Assert.Equal("<h1>hi</h1>", await ReadAsync(dev));
    }

    [Fact]
    public async Task A_deny_on_everyone_does_not_lock_the_owner_out_of_the_policy_itself()
    {
        const string DenyEverything = """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}""";
        await using var sandbox = await StartAsync(DenyEverything);
        var gameDay = sandbox.S3();

        await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => ReadAsync(gameDay));
        var policy = await gameDay.GetBucketPolicyAsync(new GetBucketPolicyRequest { BucketName = "site-assets" });
        await gameDay.DeleteBucketPolicyAsync(new DeleteBucketPolicyRequest { BucketName = "site-assets" });

        Assert.Equal(DenyEverything, policy.Policy);
        Assert.Equal("<h1>hi</h1>", await ReadAsync(gameDay));
    }

    [Fact]
    public async Task Head_object_is_governed_by_GetObject()
    {
        await using var sandbox = await StartAsync(DenyAllButGameDay);
        var dev = sandbox.S3(TestFleets.DevKey, TestFleets.DevSecret);

        var error = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() =>
            dev.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = "site-assets", Key = "index.html" }));

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
    }
}
