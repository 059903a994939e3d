namespace Simian.Shared;

/// <summary>
/// The IAM actions Amazon S3 defines (prefix <c>s3:</c>), as the Service Authorization Reference lists them:
/// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html — so that a policy naming
/// an action that does not exist is caught where it is written (bucket-deny's params, the sandbox's
/// PutBucketPolicy), not on a real account. Compiled into each assembly that checks actions, from this one file.
/// </summary>
internal static class S3Actions
{
    /// <summary>What reading, changing and removing a bucket policy takes: what an undo needs.</summary>
    public static readonly IReadOnlyList<string> PolicyOperations = ["s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"];

    public static readonly IReadOnlyList<string> All =
    [
        "AbortMultipartUpload", "AssociateAccessGrantsIdentityCenter", "BypassGovernanceRetention", "CreateAccessGrant",
        "CreateAccessGrantsInstance", "CreateAccessGrantsLocation", "CreateAccessPoint", "CreateAccessPointForObjectLambda",
        "CreateBucket", "CreateBucketMetadataConfiguration", "CreateBucketMetadataTableConfiguration", "CreateJob",
        "CreateMultiRegionAccessPoint", "CreateSession", "CreateStorageLensGroup", "DeleteAccessGrant", "DeleteAccessGrantsInstance",
        "DeleteAccessGrantsInstanceResourcePolicy", "DeleteAccessGrantsLocation", "DeleteAccessPoint", "DeleteAccessPointForObjectLambda",
        "DeleteAccessPointPolicy", "DeleteAccessPointPolicyForObjectLambda", "DeleteBucket", "DeleteBucketMetadataConfiguration",
        "DeleteBucketMetadataTableConfiguration", "DeleteBucketOwnershipControls", "DeleteBucketPolicy", "DeleteBucketWebsite",
        "DeleteJobTagging", "DeleteMultiRegionAccessPoint", "DeleteObject", "DeleteObjectTagging", "DeleteObjectVersion",
        "DeleteObjectVersionTagging", "DeleteStorageLensConfiguration", "DeleteStorageLensConfigurationTagging", "DeleteStorageLensGroup",
        "DescribeJob", "DescribeMultiRegionAccessPointOperation", "DissociateAccessGrantsIdentityCenter", "GetAccelerateConfiguration",
        "GetAccessGrant", "GetAccessGrantsInstance", "GetAccessGrantsInstanceForPrefix", "GetAccessGrantsInstanceResourcePolicy",
        "GetAccessGrantsLocation", "GetAccessPoint", "GetAccessPointConfigurationForObjectLambda", "GetAccessPointForObjectLambda",
        "GetAccessPointPolicy", "GetAccessPointPolicyForObjectLambda", "GetAccessPointPolicyStatus", "GetAccessPointPolicyStatusForObjectLambda",
        "GetAccountPublicAccessBlock", "GetAnalyticsConfiguration", "GetBucketAbac", "GetBucketAcl", "GetBucketCORS", "GetBucketLocation",
        "GetBucketLogging", "GetBucketMetadataConfiguration", "GetBucketMetadataTableConfiguration", "GetBucketNotification",
        "GetBucketObjectLockConfiguration", "GetBucketOwnershipControls", "GetBucketPolicy", "GetBucketPolicyStatus",
        "GetBucketPublicAccessBlock", "GetBucketRequestPayment", "GetBucketTagging", "GetBucketVersioning", "GetBucketWebsite",
        "GetDataAccess", "GetEncryptionConfiguration", "GetIntelligentTieringConfiguration", "GetInventoryConfiguration", "GetJobTagging",
        "GetLifecycleConfiguration", "GetMetricsConfiguration", "GetMultiRegionAccessPoint", "GetMultiRegionAccessPointPolicy",
        "GetMultiRegionAccessPointPolicyStatus", "GetMultiRegionAccessPointRoutes", "GetObject", "GetObjectAcl", "GetObjectAttributes",
        "GetObjectLegalHold", "GetObjectRetention", "GetObjectTagging", "GetObjectTorrent", "GetObjectVersion", "GetObjectVersionAcl",
        "GetObjectVersionAttributes", "GetObjectVersionForReplication", "GetObjectVersionTagging", "GetObjectVersionTorrent",
        "GetReplicationConfiguration", "GetStorageLensConfiguration", "GetStorageLensConfigurationTagging", "GetStorageLensDashboard",
        "GetStorageLensGroup", "InitiateReplication", "ListAccessGrants", "ListAccessGrantsInstances", "ListAccessGrantsLocations",
        "ListAccessPoints", "ListAccessPointsForObjectLambda", "ListAllMyBuckets", "ListBucket", "ListBucketMultipartUploads",
        "ListBucketVersions", "ListCallerAccessGrants", "ListJobs", "ListMultiRegionAccessPoints", "ListMultipartUploadParts",
        "ListStorageLensConfigurations", "ListStorageLensGroups", "ListTagsForResource", "ObjectOwnerOverrideToBucketOwner",
        "PauseReplication", "PutAccelerateConfiguration", "PutAccessGrantsInstanceResourcePolicy", "PutAccessPointConfigurationForObjectLambda",
        "PutAccessPointPolicy", "PutAccessPointPolicyForObjectLambda", "PutAccessPointPublicAccessBlock", "PutAccountPublicAccessBlock",
        "PutAnalyticsConfiguration", "PutBucketAbac", "PutBucketAcl", "PutBucketCORS", "PutBucketLogging", "PutBucketNotification",
        "PutBucketObjectLockConfiguration", "PutBucketOwnershipControls", "PutBucketPolicy", "PutBucketPublicAccessBlock",
        "PutBucketRequestPayment", "PutBucketTagging", "PutBucketVersioning", "PutBucketWebsite", "PutEncryptionConfiguration",
        "PutIntelligentTieringConfiguration", "PutInventoryConfiguration", "PutJobTagging", "PutLifecycleConfiguration",
        "PutMetricsConfiguration", "PutMultiRegionAccessPointPolicy", "PutObject", "PutObjectAcl", "PutObjectLegalHold",
        "PutObjectRetention", "PutObjectTagging", "PutObjectVersionAcl", "PutObjectVersionTagging", "PutReplicationConfiguration",
        "PutStorageLensConfiguration", "PutStorageLensConfigurationTagging", "ReplicateDelete", "ReplicateObject", "ReplicateTags",
        "RestoreObject", "SubmitMultiRegionAccessPointRoutes", "TagResource", "UntagResource", "UpdateAccessGrantsLocation",
        "UpdateBucketMetadataInventoryTableConfiguration", "UpdateBucketMetadataJournalTableConfiguration", "UpdateJobPriority",
        "UpdateJobStatus", "UpdateStorageLensGroup",
    ];

    private static readonly HashSet<string> Names = new(All.Select(a => "s3:" + a), StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="pattern"/> (<c>s3:Get*</c>, <c>s3:GetObject</c>, <c>*</c>) names at least one S3 action. IAM action names ignore case.</summary>
    public static bool Exists(string pattern) =>
        pattern.Contains('*') || pattern.Contains('?') ? Names.Any(a => Glob(pattern, a, ignoreCase: true)) : Names.Contains(pattern);

    /// <summary>The bucket-policy operations <paramref name="pattern"/> covers.</summary>
    public static IReadOnlyList<string> PolicyOperationsCovered(string pattern) => PolicyOperations.Where(op => Glob(pattern, op, ignoreCase: true)).ToList();

    /// <summary>The known action nearest to a misspelt one (at most a few edits away), or null.</summary>
    public static string? Suggest(string pattern)
    {
        var name = pattern.StartsWith("s3:", StringComparison.OrdinalIgnoreCase) ? pattern[3..] : pattern;
        var best = All.Select(a => (Action: a, Distance: Distance(name.ToLowerInvariant(), a.ToLowerInvariant())))
            .OrderBy(x => x.Distance).ThenBy(x => x.Action, StringComparer.Ordinal).First();
        return best.Distance <= Math.Max(2, name.Length / 4) ? "s3:" + best.Action : null;
    }

    /// <summary>
    /// IAM glob: <c>*</c> any run, <c>?</c> one character. Action names compare ignoring case; StringLike on ARNs
    /// (aws:PrincipalArn) is case-sensitive.
    /// </summary>
    public static bool Glob(string pattern, string value, bool ignoreCase)
    {
        int p = 0, v = 0, star = -1, mark = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && pattern[p] != '*' && (pattern[p] == '?' || Same(pattern[p], value[v], ignoreCase))) { p++; v++; }
            else if (p < pattern.Length && pattern[p] == '*') { star = p++; mark = v; }
            else if (star >= 0) { p = star + 1; v = ++mark; }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }

    private static bool Same(char a, char b, bool ignoreCase) => a == b || (ignoreCase && char.ToUpperInvariant(a) == char.ToUpperInvariant(b));

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
