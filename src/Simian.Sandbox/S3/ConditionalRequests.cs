using Simian.Sandbox.Http;

namespace Simian.Sandbox.S3;

/// <summary>
/// S3's conditional requests on objects, checked under the bucket store's lock so that of two writers racing for one
/// key exactly one wins.
/// <list type="bullet">
/// <item>PutObject and CompleteMultipartUpload: <c>If-None-Match: *</c> writes only when no object has the key,
/// <c>If-Match: ETAG</c> only when the current object has that ETag; a failed condition is <c>412 PreconditionFailed</c>,
/// <c>If-Match</c> on a key with no object is <c>404 NoSuchKey</c>, and a multipart upload whose key was written or
/// deleted by someone else after it was created is <c>409 ConditionalRequestConflict</c> (start the upload again)
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html,
/// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html,
/// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html).</item>
/// <item>DeleteObject: <c>If-Match: ETAG</c> deletes only that version of the object (and then also needs
/// s3:GetObject); <c>If-Match: *</c> only an object that exists
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-deletes.html).</item>
/// <item>GetObject and HeadObject: <c>If-Match</c> (412) and <c>If-None-Match</c> (304), as RFC 7232 says
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html).</item>
/// </list>
/// What S3 does not document is refused with 501 rather than ignored: <c>If-None-Match</c> with anything but <c>*</c>
/// on a write, both headers at once on a write, <c>If-Match: *</c> on a write, and the date conditions
/// (<c>If-Modified-Since</c>, <c>If-Unmodified-Since</c>) everywhere.
/// </summary>
internal sealed record ConditionalRequests(string? IfMatch, string? IfNoneMatch)
{
    public bool Any => IfMatch is not null || IfNoneMatch is not null;

    public static ConditionalRequests None { get; } = new(null, null);

    /// <summary>The conditions a PutObject or CompleteMultipartUpload carries.</summary>
    public static ConditionalRequests ForWrite(SandboxRequest request)
    {
        var conditions = Read(request);
        if (conditions.IfMatch is not null && conditions.IfNoneMatch is not null)
        {
            throw S3Errors.NotImplemented("If-Match and If-None-Match together on a write");
        }

        if (conditions.IfNoneMatch is { } noneMatch && noneMatch != "*")
        {
            throw S3Errors.NotImplemented($"If-None-Match: {noneMatch} on a write (S3 takes only '*')");
        }

        if (conditions.IfMatch == "*")
        {
            throw S3Errors.NotImplemented("If-Match: * on a write (S3 takes an ETag)");
        }

        return conditions;
    }

    /// <summary>The conditions a DeleteObject carries: only If-Match.</summary>
    public static ConditionalRequests ForDelete(SandboxRequest request)
    {
        var conditions = Read(request);
        if (conditions.IfNoneMatch is not null)
        {
            throw S3Errors.NotImplemented("If-None-Match on DeleteObject");
        }

        foreach (var header in new[] { "x-amz-if-match-last-modified-time", "x-amz-if-match-size" })
        {
            if (request.Header(header) is not null)
            {
                throw S3Errors.NotImplemented($"{header} (directory buckets only)");
            }
        }

        return conditions;
    }

    public static ConditionalRequests ForRead(SandboxRequest request) => Read(request);

    private static ConditionalRequests Read(SandboxRequest request)
    {
        foreach (var header in new[] { "If-Modified-Since", "If-Unmodified-Since" })
        {
            if (request.Header(header) is not null)
            {
                throw S3Errors.NotImplemented(header);
            }
        }

        return new ConditionalRequests(request.Header("If-Match")?.Trim(), request.Header("If-None-Match")?.Trim());
    }

    /// <summary>Checks a write against the key's current object (null when there is none). Call under the store's lock.</summary>
    public void CheckWrite(S3Object? current, string key)
    {
        if (IfNoneMatch is not null && current is not null)
        {
            throw PreconditionFailed("If-None-Match");
        }

        if (IfMatch is { } etag)
        {
            if (current is null)
            {
                throw S3Errors.NoSuchKey(key);
            }

            if (!SameETag(etag, current.ETag))
            {
                throw PreconditionFailed("If-Match");
            }
        }
    }

    /// <summary>Checks a delete against the key's current object. Call under the store's lock.</summary>
    public void CheckDelete(S3Object? current, string key)
    {
        if (IfMatch is not { } etag)
        {
            return;
        }

        if (current is null)
        {
            throw etag == "*" ? PreconditionFailed("If-Match") : S3Errors.NoSuchKey(key);
        }

        if (etag != "*" && !SameETag(etag, current.ETag))
        {
            throw PreconditionFailed("If-Match");
        }
    }

    /// <summary>For a read: 412 when If-Match fails, true (answer 304) when If-None-Match matches.</summary>
    public bool NotModified(S3Object current)
    {
        if (IfMatch is { } etag && etag != "*" && !etag.Split(',').Any(e => SameETag(e, current.ETag)))
        {
            throw PreconditionFailed("If-Match");
        }

        return IfNoneMatch is { } none && (none == "*" || none.Split(',').Any(e => SameETag(e, current.ETag)));
    }

    /// <summary>S3's 409 for a conditional multipart upload whose key changed while it was under way.</summary>
    public static AwsErrorException Conflict() => new(409, "ConditionalRequestConflict",
        "A conflicting conditional operation is currently in progress against this resource. Please try again.");

    private static AwsErrorException PreconditionFailed(string condition) =>
        new(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", ("Condition", condition));

    private static bool SameETag(string a, string b) => Unquote(a) == Unquote(b);

    private static string Unquote(string etag)
    {
        var trimmed = etag.Trim();
        if (trimmed.StartsWith("W/", StringComparison.Ordinal))
        {
            trimmed = trimmed[2..];
        }

        return trimmed.Trim('"');
    }
}
