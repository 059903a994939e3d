namespace Simian.Sandbox.S3;

/// <summary>A stored object: content plus the metadata GetObject and HeadObject return.</summary>
internal sealed record S3Object(
    string Key,
    byte[] Data,
    string ETag,
    DateTimeOffset LastModified,
    string ContentType,
    IReadOnlyList<KeyValuePair<string, string>> Metadata,
    IReadOnlyList<KeyValuePair<string, string>> Checksums);
