using Simian.Aws.Clients;
using Simian.Core;
using Simian.Core.Profiles;
using Simian.Core.Shared;

namespace Simian.Aws.State;

/// <summary>
/// <c>--state s3://BUCKET/PREFIX</c> (or <c>SIMIAN_STATE</c>): where a team's shared state lives, and how to open it.
/// Region and credentials come from the standard AWS chain (<c>AWS_REGION</c>, <c>AWS_PROFILE</c>, keys, roles);
/// <c>--state-endpoint</c> sends the calls to an S3-compatible endpoint instead (the sandbox, a MinIO).
/// </summary>
public static class SharedStateLocation
{
    /// <summary>How long a lock lasts past its last renewal; renewals come every quarter of it. <c>SIMIAN_STATE_LEASE</c> overrides it.</summary>
    public static readonly TimeSpan DefaultLease = TimeSpan.FromMinutes(2);

    public static bool IsS3(string state) => state.StartsWith("s3://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Bucket and prefix (ending in '/', or empty) from <c>s3://BUCKET/PREFIX</c>; a one-line error otherwise.</summary>
    public static (string Bucket, string Prefix) Parse(string state)
    {
        if (!IsS3(state)) throw new InvalidInputException($"--state '{state}' is not an s3://BUCKET/PREFIX URI");
        var rest = state["s3://".Length..];
        var slash = rest.IndexOf('/');
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..];
        if (prefix.EndsWith('/')) prefix = prefix[..^1];
        if (bucket.Length is < 3 or > 63 || !bucket.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.')
            || !char.IsAsciiLetterOrDigit(bucket[0]) || !char.IsAsciiLetterOrDigit(bucket[^1]))
        {
            throw new InvalidInputException($"--state: '{bucket}' is not an S3 bucket name (3-63 lowercase letters, digits, '-' and '.')");
        }
        if (prefix.Length > 512 || prefix.Any(char.IsControl) || (prefix.Length > 0 && prefix.Split('/').Any(p => p is "" or "." or "..")))
        {
            throw new InvalidInputException($"--state: the prefix '{prefix}' must be plain path segments (no empty, '.' or '..' segments)");
        }
        return (bucket, prefix.Length == 0 ? "" : prefix + "/");
    }

    /// <summary>Opens the shared state; nothing is read or written until it is used.</summary>
    public static ISharedState Open(string state, string? endpoint, TimeProvider time, Func<string, string?> env)
    {
        var (bucket, prefix) = Parse(state);
        var lease = DefaultLease;
        if (env("SIMIAN_STATE_LEASE") is { Length: > 0 } text)
        {
            if (!Duration.TryParse(text, out lease, out var error) || lease < TimeSpan.FromSeconds(2) || lease > TimeSpan.FromHours(1))
            {
                throw new InvalidInputException($"SIMIAN_STATE_LEASE '{text}' must be a duration from 2s to 1h{(error is null ? "" : $" ({error})")}");
            }
        }
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (endpoint is not null)
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new InvalidInputException($"--state-endpoint '{Redaction.Url(endpoint)}' is not an http(s) URL");
            }
            values[AwsSettings.EndpointKey] = endpoint;
        }
        AwsSession session;
        try
        {
            session = new AwsSessions(time, env, new AwsProviderOptions()).Get(values);
        }
        catch (ProviderException e)
        {
            throw new ProviderException($"cannot open the shared state {state}: {e.Message}", e);
        }
        return new S3SharedState(new S3StateObjects(session, bucket, prefix), time, lease);
    }
}
