namespace Simian.Sandbox.Policy;

/// <summary>IAM-style glob matching: <c>*</c> is any run of characters, <c>?</c> exactly one.</summary>
internal static class Wildcard
{
    public static bool IsMatch(string pattern, string value, bool ignoreCase) => Simian.Shared.S3Actions.Glob(pattern, value, ignoreCase);
}
