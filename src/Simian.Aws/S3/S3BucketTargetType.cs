using System.Collections.Concurrent;
using Simian.Aws.Clients;
using Simian.Aws.Faults;
using Simian.Aws.Resilience;
using Simian.Core;
using Simian.Core.Diagnostics;
using Simian.Core.Profiles;
using Simian.Core.Providers;
using Simian.Core.Yaml;

namespace Simian.Aws.S3;

/// <summary><c>aws:s3:bucket</c>: buckets by name, prefix or tags, each with its own region and tags.</summary>
internal sealed class S3BucketTargetType : ITargetType
{
    private readonly AwsSessions _sessions;

    public S3BucketTargetType(AwsSessions sessions)
    {
        _sessions = sessions;
        Faults = [new BucketDenyFault(sessions)];
    }

    public string Name => "aws:s3:bucket";

    public IReadOnlyList<IFault> Faults { get; }

    public bool SupportsPer(string per) => per is "region" || Simian.Core.Planning.Picker.IsTagPer(per);

    public IReadOnlyList<string> SelectorKeys => S3Selector.Keys;

    public void ValidateSelector(YMapping selector, DiagnosticBag diagnostics) => S3Selector.Read(selector, diagnostics);

    public async Task<IReadOnlyList<Resource>> ResolveAsync(TargetSpec target, ProviderSettings settings, CancellationToken cancellationToken)
    {
        var selector = S3Selector.Read(target.Selector, new DiagnosticBag());
        var session = _sessions.Get(settings.Values);
        // Fail closed: without the account the guard cannot check allowedAccounts, so nothing is listed.
        var caller = await session.CallerAsync(cancellationToken).ConfigureAwait(false);
        IEnumerable<(string Name, string? Region)> candidates = selector.Names is { } names
            ? names.Where(selector.MatchesName).Distinct(StringComparer.Ordinal).Select(n => (n, (string?)null))
            : (await S3Buckets.ListAsync(session, selector.Prefix, cancellationToken).ConfigureAwait(false))
                .Where(b => b.BucketName is not null && selector.MatchesName(b.BucketName))
                .Select(b => (b.BucketName, string.IsNullOrEmpty(b.BucketRegion) ? null : b.BucketRegion));

        var found = new ConcurrentBag<Resource>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = session.Options.BucketConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(candidates, parallel, async (bucket, ct) =>
        {
            string region;
            IReadOnlyDictionary<string, string> tags;
            try
            {
                // ExpectedBucketOwner: S3 answers 403 for a bucket another account owns
                // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html).
                region = bucket.Region ?? await S3Buckets.RegionAsync(session, bucket.Name, ct, caller.Account).ConfigureAwait(false);
                tags = await S3Buckets.TagsAsync(session, bucket.Name, region, ct, caller.Account).ConfigureAwait(false);
            }
            catch (ProviderException e) when (AwsErrors.Code(e) is "AccessDenied" && selector.Names is not null)
            {
                // Named, but not ours (or not readable): shown in the plan with why, never touched.
                found.Add(new Resource
                {
                    Id = bucket.Name,
                    Label = "another account's?",
                    Tags = new Dictionary<string, string>(),
                    Account = caller.Account,
                    Scope = session.Scope(caller.Account, ""),
                    Protected = $"not owned by account {caller.Account}, or not readable by the caller (S3 refused the request with ExpectedBucketOwner={caller.Account})",
                });
                return;
            }
            if (!selector.MatchesTags(tags)) return;
            found.Add(new Resource
            {
                Id = bucket.Name,
                Label = region,
                Tags = tags,
                Region = region,
                Account = caller.Account,
                Attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["region"] = region },
                // Bucket names are global on AWS; an endpoint (the sandbox) is a world of its own.
                Scope = session.Scope(caller.Account, ""),
            });
        }).ConfigureAwait(false);
        return found.OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
    }
}
