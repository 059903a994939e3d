namespace Simian.Sandbox.Auth;

/// <summary>An aws-chunked body that cannot be decoded or whose chunk signatures do not verify.</summary>
internal sealed class AwsChunkedException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
