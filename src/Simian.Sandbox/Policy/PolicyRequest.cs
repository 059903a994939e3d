namespace Simian.Sandbox.Policy;

/// <summary>What a bucket policy is asked about: who, doing what, to which resource, with which condition keys.</summary>
/// <param name="PrincipalArns">
/// The ARNs a <c>Principal</c> element may name to match this caller (its own ARN, its role ARN, its account
/// root); empty for the anonymous caller, who matches only <c>"*"</c>.
/// </param>
/// <param name="Action">For example <c>s3:GetObject</c>.</param>
/// <param name="Resource">For example <c>arn:aws:s3:::bucket/key</c>.</param>
/// <param name="ConditionKeys">Keys such as aws:PrincipalArn (case-insensitive); absent keys are left out.</param>
internal sealed record PolicyRequest(
    IReadOnlyList<string> PrincipalArns,
    string Action,
    string Resource,
    IReadOnlyDictionary<string, string> ConditionKeys);
