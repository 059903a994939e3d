namespace Simian.Sandbox.S3;

/// <summary>S3's error codes, with the messages and extra elements the real service sends.</summary>
internal static class S3Errors
{
    public static AwsErrorException NoSuchBucket(string bucket) =>
        new(404, "NoSuchBucket", "The specified bucket does not exist", ("BucketName", bucket));

    public static AwsErrorException NoSuchKey(string key) =>
        new(404, "NoSuchKey", "The specified key does not exist.", ("Key", key));

    public static AwsErrorException AccessDenied(string reason) =>
        new(403, "AccessDenied", $"Access Denied ({reason})");

    public static AwsErrorException NotImplemented(string what) =>
        new(501, "NotImplemented", $"A header or query you provided implies functionality that is not implemented: {what}");

    public static AwsErrorException MalformedXml() => new(
        400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
}
