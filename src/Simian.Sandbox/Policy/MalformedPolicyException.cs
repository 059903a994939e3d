namespace Simian.Sandbox.Policy;

/// <summary>A bucket policy S3 would refuse with MalformedPolicy.</summary>
internal sealed class MalformedPolicyException(string message) : Exception(message);
