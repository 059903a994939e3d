namespace Simian.Sandbox.Auth;

/// <summary>A decoded aws-chunked payload and the trailing headers that followed it.</summary>
internal sealed record AwsChunkedBody(byte[] Data, IReadOnlyDictionary<string, string> Trailers);
