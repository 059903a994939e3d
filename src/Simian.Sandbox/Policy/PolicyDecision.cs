namespace Simian.Sandbox.Policy;

/// <summary>The verdict of a bucket policy on one request, and which statement decided it.</summary>
internal sealed record PolicyDecision(bool Denied, string Reason)
{
    public static PolicyDecision Allow { get; } = new(false, "no Deny statement applies");
}
