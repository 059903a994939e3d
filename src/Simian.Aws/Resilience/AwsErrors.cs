using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Polly.Timeout;
using Simian.Core;
using Simian.Core.Profiles;

namespace Simian.Aws.Resilience;

/// <summary>Which AWS failures are worth retrying, and how any failure reads as one line for the user.</summary>
internal static class AwsErrors
{
    private static readonly HashSet<string> Throttling = new(StringComparer.Ordinal)
    {
        "RequestLimitExceeded", "SlowDown", "Throttling", "ThrottlingException", "TooManyRequestsException",
        "RequestThrottled", "RequestThrottledException", "EC2ThrottledException",
    };

    private static readonly HashSet<string> Denied = new(StringComparer.Ordinal)
    {
        "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthFailure", "InvalidClientTokenId",
        "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException", "InvalidAccessKeyId", "InvalidToken",
        "UnrecognizedClientException", "MissingAuthenticationToken", "OptInRequired",
    };

    /// <summary>The AWS error code behind an exception (or behind a <see cref="ProviderException"/> made from one).</summary>
    public static string? Code(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is AmazonServiceException { ErrorCode: { Length: > 0 } code }) return code;
        }
        return null;
    }

    /// <summary>Codes for credentials that expired: worth one more try once refreshing credentials fetched new ones.</summary>
    public static readonly IReadOnlySet<string> Expired = new HashSet<string>(StringComparer.Ordinal)
    {
        "ExpiredToken", "ExpiredTokenException", "RequestExpired",
    };

    public static bool IsTransient(Exception e, bool retryUnreachable)
    {
        if (e is TimeoutRejectedException) return true;
        if (Network(e) is { } network) return retryUnreachable || !IsUnreachable(network);
        if (e is AmazonServiceException se)
        {
            if (se.ErrorCode is { } code && (Throttling.Contains(code) || Expired.Contains(code))) return true;
            var status = (int)se.StatusCode;
            return status >= 500 && se.StatusCode != HttpStatusCode.NotImplemented;
        }
        // The SDK's own HTTP timeout surfaces as a cancellation nobody asked for.
        return e is OperationCanceledException { InnerException: TimeoutException };
    }

    /// <summary>One line, secrets masked, saying what failed and why; the original exception stays inside.</summary>
    public static ProviderException Translate(Exception e, string what, string where, AwsRetryPolicy policy)
    {
        string reason;
        if (e is TimeoutRejectedException)
        {
            reason = $"no answer from {where} in time (gave up after {Format(policy.AttemptTimeout)} per attempt, {Format(policy.TotalTimeout)} in all)";
        }
        else if (Network(e) is { } network)
        {
            reason = $"cannot reach {where}: {OneLine(network.Message)}";
        }
        else if (e is AmazonServiceException se)
        {
            var code = se.ErrorCode ?? ((int)se.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var message = OneLine(se.Message);
            reason = code switch
            {
                _ when Denied.Contains(code) => $"access denied ({code}: {message})",
                "NoSuchBucket" => "the bucket does not exist (NoSuchBucket)",
                "InvalidInstanceID.NotFound" => $"no such instance ({message})",
                _ when Throttling.Contains(code) => $"still throttled after {policy.MaxAttempts} attempts ({code})",
                _ when (int)se.StatusCode >= 500 => $"{where} kept failing after {policy.MaxAttempts} attempts ({code}: {message})",
                _ => $"{code}: {message}",
            };
        }
        else if (e is AmazonClientException ce)
        {
            reason = OneLine(ce.Message);
        }
        else
        {
            reason = OneLine(e.Message);
        }
        return new ProviderException(Redaction.Text($"{what}: {reason}"), e);
    }

    private static Exception? Network(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is SocketException or HttpRequestException) return Innermost(x);
            if (x is IOException && x is not FileNotFoundException) return Innermost(x);
        }
        return null;
    }

    private static Exception Innermost(Exception e)
    {
        var x = e;
        while (x.InnerException is { } inner && (inner is SocketException or HttpRequestException or IOException)) x = inner;
        return x;
    }

    private static bool IsUnreachable(Exception network) =>
        network is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.NoData }
        || network is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError }
        || network.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound };

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();

    private static string Format(TimeSpan t) => Duration.Format(t);
}
