using System.Net;
using System.Xml;
using System.Xml.Linq;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Simian.Aws.Clients;
using Simian.Aws.Resilience;
using Simian.Core;

namespace Simian.Aws.S3;

/// <summary>Reading a bucket's region, tags and policy, with S3's "there is none" answers turned into empty values.</summary>
internal static class S3Buckets
{
    public static async Task<string> RegionAsync(AwsSession session, string bucket, CancellationToken cancellationToken, string? owner = null)
    {
        var answer = await session.CallAsync(
            $"cannot read bucket '{bucket}'",
            ct => session.S3().GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = bucket, ExpectedBucketOwner = owner }, ct),
            cancellationToken).ConfigureAwait(false);
        // S3 reports us-east-1 as no constraint at all, and eu-west-1 by its legacy name.
        return answer.Location?.Value switch
        {
            null or "" or "US" => "us-east-1",
            "EU" => "eu-west-1",
            var region => region,
        };
    }

    public static async Task<IReadOnlyDictionary<string, string>> TagsAsync(AwsSession session, string bucket, string region, CancellationToken cancellationToken, string? owner = null)
    {
        try
        {
            var answer = await session.CallAsync(
                $"cannot read the tags of bucket '{bucket}'",
                ct => session.S3(region).GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket, ExpectedBucketOwner = owner }, ct),
                cancellationToken).ConfigureAwait(false);
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var tag in answer.TagSet ?? [])
            {
                if (tag.Key is not null) tags[tag.Key] = tag.Value ?? "";
            }
            return tags;
        }
        catch (ProviderException e) when (AwsErrors.Code(e) == "NoSuchTagSet")
        {
            return new Dictionary<string, string>();
        }
    }

    /// <summary>The policy exactly as S3 returns it, or null when the bucket has none.</summary>
    /// <param name="owner">The account that must own the bucket (ExpectedBucketOwner); S3 refuses the call otherwise.</param>
    public static async Task<string?> PolicyAsync(AwsSession session, string bucket, string region, string? owner, CancellationToken cancellationToken, bool undo = false)
    {
        try
        {
            return await session.CallAsync(
                $"cannot read the policy of bucket '{bucket}'",
                async ct =>
                {
                    var answer = await session.S3(region).GetBucketPolicyAsync(new GetBucketPolicyRequest { BucketName = bucket, ExpectedBucketOwner = owner }, ct).ConfigureAwait(false);
                    // SDK quirk: for GetBucketPolicy a 4xx answer does not throw; its error document comes back as the "policy".
                    if ((int)answer.HttpStatusCode is < 200 or > 299) throw ErrorFrom(answer.HttpStatusCode, answer.Policy);
                    return string.IsNullOrEmpty(answer.Policy) ? null : answer.Policy;
                },
                cancellationToken,
                undo).ConfigureAwait(false);
        }
        catch (ProviderException e) when (AwsErrors.Code(e) == "NoSuchBucketPolicy")
        {
            return null;
        }
    }

    /// <summary>The S3 error an error document describes (<c>&lt;Error&gt;&lt;Code&gt;…&lt;/Code&gt;&lt;Message&gt;…</c>).</summary>
    internal static AmazonS3Exception ErrorFrom(HttpStatusCode status, string? body)
    {
        string? code = null, message = null, requestId = null;
        try
        {
            var root = XDocument.Parse(body ?? "").Root;
            code = root?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value;
            message = root?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value;
            requestId = root?.Elements().FirstOrDefault(e => e.Name.LocalName == "RequestId")?.Value;
        }
        catch (XmlException)
        {
        }
        var type = (int)status >= 500 ? ErrorType.Receiver : ErrorType.Sender;
        return new AmazonS3Exception(message ?? $"HTTP {(int)status}", type, code ?? status.ToString(), requestId ?? "", status);
    }

    public static Task PutPolicyAsync(AwsSession session, string bucket, string region, string? owner, string policy, string what, CancellationToken cancellationToken, bool undo = false) =>
        session.CallAsync(
            what,
            ct => session.S3(region).PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = policy, ExpectedBucketOwner = owner }, ct),
            cancellationToken,
            undo);

    public static Task DeletePolicyAsync(AwsSession session, string bucket, string region, string? owner, string what, CancellationToken cancellationToken, bool undo = false) =>
        session.CallAsync(
            what,
            ct => session.S3(region).DeleteBucketPolicyAsync(new DeleteBucketPolicyRequest { BucketName = bucket, ExpectedBucketOwner = owner }, ct),
            cancellationToken,
            undo);

    public static async Task<List<S3Bucket>> ListAsync(AwsSession session, string? prefix, CancellationToken cancellationToken)
    {
        var buckets = new List<S3Bucket>();
        string? token = null;
        do
        {
            var request = new ListBucketsRequest { Prefix = prefix, ContinuationToken = token, MaxBuckets = 1000 };
            var page = await session.CallAsync(
                "cannot list S3 buckets (s3:ListAllMyBuckets)",
                ct => session.S3().ListBucketsAsync(request, ct),
                cancellationToken).ConfigureAwait(false);
            buckets.AddRange(page.Buckets ?? []);
            token = page.ContinuationToken;
        }
        while (!string.IsNullOrEmpty(token));
        return buckets;
    }
}
