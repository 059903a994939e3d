using System.Globalization;
using System.Text;
using Simian.Sandbox.Http;

namespace Simian.Sandbox.S3;

/// <summary>The parameters of ListObjects (V1) or ListObjectsV2.</summary>
internal sealed record ListRequest(
    string Bucket,
    bool Version2,
    string Prefix,
    string? Delimiter,
    int MaxKeys,
    string? Marker,
    string? ContinuationToken,
    string? StartAfter,
    bool UrlEncode,
    bool FetchOwner)
{
    /// <summary>Where the listing resumes: after the token's entry, the start-after key, or the marker.</summary>
    public string? After => ContinuationToken is not null ? DecodeToken(ContinuationToken) : Version2 ? StartAfter : Marker;

    public static ListRequest From(string bucket, SandboxRequest request)
    {
        var maxKeys = 1000;
        if (request.QueryValue("max-keys") is { } text
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out maxKeys)))
        {
            throw new AwsErrorException(400, "InvalidArgument", "Provided max-keys not an integer or within integer range");
        }

        var encoding = request.QueryValue("encoding-type");
        if (encoding is not null && encoding != "url")
        {
            throw new AwsErrorException(400, "InvalidArgument", "Invalid Encoding Method specified in Request");
        }

        return new ListRequest(
            bucket,
            request.QueryValue("list-type") == "2",
            request.QueryValue("prefix") ?? "",
            request.QueryValue("delimiter"),
            Math.Min(maxKeys, 1000),
            request.QueryValue("marker"),
            request.QueryValue("continuation-token"),
            request.QueryValue("start-after"),
            encoding == "url",
            request.QueryValue("fetch-owner") == "true");
    }

    public static string EncodeToken(string lastEntry) => Convert.ToBase64String(Encoding.UTF8.GetBytes(lastEntry));

    private static string DecodeToken(string token)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            throw new AwsErrorException(400, "InvalidArgument", "The continuation token provided is incorrect");
        }
    }
}
