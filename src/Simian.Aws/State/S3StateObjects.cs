using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Simian.Aws.Clients;
using Simian.Aws.Resilience;
using Simian.Core;
using Simian.Core.Shared;

namespace Simian.Aws.State;

/// <summary>
/// The few S3 object calls shared state is built from, each under one prefix: create-only (<c>If-None-Match: *</c>),
/// replace-only-this-version (<c>If-Match</c>), delete-only-this-version, bounded reads and listings
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html,
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-deletes.html). Transient failures are retried
/// by the session's pipeline; a lost race is an answer (false or null), never an exception; anything else is a
/// <see cref="SharedStateException"/>.
/// </summary>
internal sealed class S3StateObjects(AwsSession session, string bucket, string prefix)
{
    /// <summary>The most any one state object may hold: locks and heartbeats are tiny, journal lines small.</summary>
    public const int MaxObjectBytes = 1024 * 1024;

    /// <summary>The most keys one listing reads.</summary>
    public const int MaxKeys = 100_000;

    public string Location { get; } = $"s3://{bucket}/{prefix}";

    public sealed record Stored(byte[] Body, string ETag, DateTimeOffset LastModified);

    private IAmazonS3 S3 => session.S3();

    /// <summary>Creates the object unless one exists; its ETag, or null when one already existed.</summary>
    public async Task<string?> CreateAsync(string key, byte[] body, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var answer = await Call($"cannot create {Location}{key}", ct => S3.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = bucket, Key = prefix + key, InputStream = new MemoryStream(body), IfNoneMatch = "*",
                    ContentType = "application/json",
                }, ct), cancellationToken).ConfigureAwait(false);
                return answer.ETag;
            }
            catch (SharedStateException e) when (Code(e) == "PreconditionFailed")
            {
                return null;
            }
            catch (SharedStateException e) when (Code(e) == "ConditionalRequestConflict" && attempt < 3)
            {
                // S3 asks for a retry when a conflicting write was under way: the next attempt sees who won.
            }
        }
    }

    /// <summary>Replaces the object only while it is still version <paramref name="etag"/>; the new ETag, or null when it changed or is gone.</summary>
    public async Task<string?> ReplaceAsync(string key, byte[] body, string etag, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var answer = await Call($"cannot update {Location}{key}", ct => S3.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = bucket, Key = prefix + key, InputStream = new MemoryStream(body), IfMatch = etag,
                    ContentType = "application/json",
                }, ct), cancellationToken).ConfigureAwait(false);
                return answer.ETag;
            }
            catch (SharedStateException e) when (Code(e) is "PreconditionFailed" or "NoSuchKey")
            {
                return null;
            }
            catch (SharedStateException e) when (Code(e) == "ConditionalRequestConflict" && attempt < 3)
            {
            }
        }
    }

    /// <summary>Writes the object whatever is there (a heartbeat).</summary>
    public async Task PutAsync(string key, byte[] body, CancellationToken cancellationToken) =>
        await Call($"cannot write {Location}{key}", ct => S3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket, Key = prefix + key, InputStream = new MemoryStream(body), ContentType = "application/json",
        }, ct), cancellationToken).ConfigureAwait(false);

    /// <summary>The object, read up to <see cref="MaxObjectBytes"/>; null when there is none.</summary>
    public async Task<Stored?> GetAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await Call($"cannot read {Location}{key}", async ct =>
            {
                using var answer = await S3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = prefix + key }, ct).ConfigureAwait(false);
                if (answer.ContentLength > MaxObjectBytes) throw new SharedStateException($"{Location}{key} is {answer.ContentLength} bytes, over the {MaxObjectBytes} a state object may hold");
                using var buffer = new MemoryStream();
                var chunk = new byte[16 * 1024];
                int read;
                while ((read = await answer.ResponseStream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
                {
                    buffer.Write(chunk, 0, read);
                    if (buffer.Length > MaxObjectBytes) throw new SharedStateException($"{Location}{key} is over the {MaxObjectBytes} bytes a state object may hold");
                }
                return new Stored(buffer.ToArray(), answer.ETag, answer.LastModified is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : DateTimeOffset.MinValue);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (SharedStateException e) when (Code(e) == "NoSuchKey")
        {
            return null;
        }
    }

    /// <summary>Deletes the object only while it is still version <paramref name="etag"/>; false when it changed or is gone.</summary>
    public async Task<bool> DeleteAsync(string key, string etag, CancellationToken cancellationToken)
    {
        try
        {
            await Call($"cannot delete {Location}{key}", ct => S3.DeleteObjectAsync(new DeleteObjectRequest
            {
                BucketName = bucket, Key = prefix + key, IfMatch = etag,
            }, ct), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SharedStateException e) when (Code(e) is "PreconditionFailed" or "NoSuchKey" or "ConditionalRequestConflict")
        {
            return false;
        }
    }

    /// <summary>Keys under <paramref name="under"/> (relative to the state prefix), in order, at most <see cref="MaxKeys"/>.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(string under, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        string? token = null;
        do
        {
            var page = await Call($"cannot list {Location}{under}", ct => S3.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = bucket, Prefix = prefix + under, ContinuationToken = token,
            }, ct), cancellationToken).ConfigureAwait(false);
            foreach (var item in page.S3Objects ?? [])
            {
                if (item.Key.StartsWith(prefix, StringComparison.Ordinal)) keys.Add(item.Key[prefix.Length..]);
                if (keys.Count > MaxKeys) throw new SharedStateException($"{Location}{under} holds more than {MaxKeys} objects; refusing to read further");
            }
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    private async Task<T> Call<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await session.CallAsync(what, call, cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderException e)
        {
            throw new SharedStateException(e.Message, e);
        }
    }

    /// <summary>The S3 error code behind a failure (PreconditionFailed, NoSuchKey, …), or the HTTP status for a bare one.</summary>
    private static string? Code(Exception e)
    {
        if (AwsErrors.Code(e) is { } code) return code;
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is AmazonS3Exception { StatusCode: HttpStatusCode.PreconditionFailed }) return "PreconditionFailed";
            if (x is AmazonS3Exception { StatusCode: HttpStatusCode.NotFound }) return "NoSuchKey";
        }
        return null;
    }
}
