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

    /// <summary>
    /// Anonymous callers get in only through an Allow in the bucket policy, and not while Block Public Access
    /// restricts public buckets (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html).
    /// </summary>
    [Fact]
    public async Task Anonymous_callers_need_a_public_grant_that_block_public_access_does_not_restrict()
    {
        const string PublicRead = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site-assets/*"}]}""";
        await using (var closed = await StartAsync(policy: null))
        {
            var e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => ReadAsync(closed.AnonymousS3()));
            Assert.Equal(HttpStatusCode.Forbidden, e.StatusCode);
        }

        await using (var open = await StartAsync(PublicRead))
        {
            Assert.Equal("<h1>hi</h1>", await ReadAsync(open.AnonymousS3()));
        }

        var fleet = TestFleets.Standard();
        fleet.Buckets.Add(new FleetBucket { Name = "site-assets", Policy = PublicRead, BlockPublicAccess = true, Objects = { ["index.html"] = "<h1>hi</h1>" } });
        await using var blocked = await SandboxHarness.StartAsync(fleet);
        var denied = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => ReadAsync(blocked.AnonymousS3()));
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        // And a public policy cannot be put while BlockPublicPolicy is on.
        var put = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => blocked.S3().PutBucketPolicyAsync(
            new PutBucketPolicyRequest { BucketName = "site-assets", Policy = PublicRead }));
        Assert.Equal("AccessDenied", put.ErrorCode);
        // The owner's own identities still read it.
        Assert.Equal("<h1>hi</h1>", await ReadAsync(blocked.S3()));
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

    /// <summary>
    /// A Deny of s3:* locks every role and user out of the policy calls too; only the owning account's root user
    /// can still read and delete the policy (https://docs.aws.amazon.com/AmazonS3/latest/userguide/add-bucket-policy.html).
    /// This is why bucket-deny refuses actions that cover the policy calls.
    /// </summary>
    [Fact]
    public async Task A_deny_on_everyone_locks_out_all_but_the_account_root_from_the_policy_itself()
    {
        const string DenyEverything = """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::site-assets","arn:aws:s3:::site-assets/*"]}]}""";
        var fleet = TestFleets.Standard();
        fleet.Identities.Add(new FleetIdentity { AccessKeyId = "AKIASANDBOXROOT", SecretAccessKey = "root-secret", Arn = "arn:aws:iam::123456789012:root" });
        fleet.Buckets.Add(new FleetBucket { Name = "site-assets", Policy = DenyEverything, Objects = { ["index.html"] = "<h1>hi</h1>" } });
        await using var sandbox = await SandboxHarness.StartAsync(fleet);
        var gameDay = sandbox.S3();
        var root = sandbox.S3("AKIASANDBOXROOT", "root-secret");

        await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => ReadAsync(gameDay));
        var locked = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => gameDay.DeleteBucketPolicyAsync(new DeleteBucketPolicyRequest { BucketName = "site-assets" }));
        Assert.Equal(HttpStatusCode.Forbidden, locked.StatusCode);
        var policy = await root.GetBucketPolicyAsync(new GetBucketPolicyRequest { BucketName = "site-assets" });
        await root.DeleteBucketPolicyAsync(new DeleteBucketPolicyRequest { BucketName = "site-assets" });

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
