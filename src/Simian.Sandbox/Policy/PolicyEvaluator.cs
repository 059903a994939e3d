using System.Text.Json;

namespace Simian.Sandbox.Policy;

/// <summary>
/// Evaluates a bucket policy's Deny statements against one request. An explicit Deny wins; otherwise the
/// request is allowed (the sandbox models the bucket owner's own access). A Deny statement that cannot be
/// evaluated (unknown condition operator, malformed element) counts as matching: the evaluator fails closed.
/// </summary>
internal static class PolicyEvaluator
{
    private static readonly HashSet<string> Operators = new(StringComparer.Ordinal)
    {
        "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
        "StringLike", "StringNotLike", "ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike", "Bool", "Null",
        "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
    };

    public static PolicyDecision Evaluate(BucketPolicy policy, PolicyRequest request)
    {
        var index = 0;
        foreach (var statement in policy.Statements())
        {
            var name = StatementName(statement, index++);
            if (!statement.TryGetProperty("Effect", out var effect) || effect.ValueKind != JsonValueKind.String
                || effect.GetString() != "Deny")
            {
                continue;
            }

            try
            {
                if (PrincipalMatches(statement, request) && ActionMatches(statement, request.Action)
                    && ResourceMatches(statement, request.Resource) && ConditionsMatch(statement, request))
                {
                    return new PolicyDecision(true, $"explicitly denied by {name}");
                }
            }
            catch (PolicyShapeException e)
            {
                return new PolicyDecision(true, $"{name} could not be evaluated ({e.Message}); failing closed");
            }
        }

        return PolicyDecision.Allow;
    }

    /// <summary>Whether an Allow statement grants the request (one that cannot be evaluated grants nothing).</summary>
    public static bool Allows(BucketPolicy policy, PolicyRequest request)
    {
        foreach (var statement in policy.Statements())
        {
            if (!statement.TryGetProperty("Effect", out var effect) || effect.ValueKind != JsonValueKind.String || effect.GetString() != "Allow")
            {
                continue;
            }

            try
            {
                if (PrincipalMatches(statement, request) && ActionMatches(statement, request.Action)
                    && ResourceMatches(statement, request.Resource) && ConditionsMatch(statement, request))
                {
                    return true;
                }
            }
            catch (PolicyShapeException)
            {
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the policy is public as S3 judges it: an Allow to everyone ("*") that no condition on a fixed value
    /// (source IP or VPC, principal account or organization, source account or ARN) narrows down.
    /// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
    /// </summary>
    public static bool IsPublic(BucketPolicy policy)
    {
        string[] narrowing =
        [
            "aws:SourceIp", "aws:SourceVpc", "aws:SourceVpce", "aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:SourceAccount",
            "aws:SourceArn", "aws:SourceOwner", "aws:PrincipalArn", "aws:userid", "aws:PrincipalOrgPaths",
        ];
        foreach (var statement in policy.Statements())
        {
            if (!statement.TryGetProperty("Effect", out var effect) || effect.GetString() != "Allow") continue;
            if (!statement.TryGetProperty("Principal", out var principal)) continue;
            var everyone = principal.ValueKind == JsonValueKind.String
                ? principal.GetString() == "*"
                : principal.ValueKind == JsonValueKind.Object && principal.TryGetProperty("AWS", out var aws)
                  && (aws.ValueKind == JsonValueKind.String ? aws.GetString() == "*" : aws.ValueKind == JsonValueKind.Array && aws.EnumerateArray().Any(v => v.GetString() == "*"));
            if (!everyone) continue;
            var narrowed = statement.TryGetProperty("Condition", out var condition) && condition.ValueKind == JsonValueKind.Object
                && condition.EnumerateObject().Any(op => op.Value.ValueKind == JsonValueKind.Object
                    && op.Value.EnumerateObject().Any(key => narrowing.Contains(key.Name, StringComparer.OrdinalIgnoreCase)));
            if (!narrowed) return true;
        }

        return false;
    }

    private static string StatementName(JsonElement statement, int index) =>
        statement.ValueKind == JsonValueKind.Object && statement.TryGetProperty("Sid", out var sid)
            && sid.ValueKind == JsonValueKind.String
            ? $"statement '{sid.GetString()}'"
            : $"statement #{index + 1}";

    private static bool PrincipalMatches(JsonElement statement, PolicyRequest request)
    {
        if (statement.TryGetProperty("Principal", out var principal))
        {
            return PrincipalSetContains(principal, request);
        }

        if (statement.TryGetProperty("NotPrincipal", out var notPrincipal))
        {
            return !NotPrincipalExempts(notPrincipal, request);
        }

        throw new PolicyShapeException("no Principal or NotPrincipal");
    }

    private static bool PrincipalSetContains(JsonElement principal, PolicyRequest request)
    {
        if (principal.ValueKind == JsonValueKind.String)
        {
            return principal.GetString() == "*" ? true : throw new PolicyShapeException("Principal string must be \"*\"");
        }

        if (principal.ValueKind != JsonValueKind.Object)
        {
            throw new PolicyShapeException("Principal must be \"*\" or an object");
        }

        foreach (var kind in principal.EnumerateObject())
        {
            foreach (var value in Strings(kind.Value, "Principal"))
            {
                if (kind.Name == "AWS" && (value == "*" || request.PrincipalArns.Contains(value, StringComparer.Ordinal)
                    || (IsAccountId(value) && request.PrincipalArns.Contains($"arn:aws:iam::{value}:root", StringComparer.Ordinal))))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Whether NotPrincipal leaves the caller out. AWS checks the account first, then the role or user, then the
    /// session: the caller is left out only when its account is listed (root ARN or account id) and so is the
    /// caller itself (its user ARN, or its role's ARN or session ARN); the account alone, or the role alone, is not
    /// enough. Anonymous callers are never left out.
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    /// </summary>
    private static bool NotPrincipalExempts(JsonElement principal, PolicyRequest request)
    {
        if (request.PrincipalArns.Count == 0 || principal.ValueKind != JsonValueKind.Object) return false;
        var listed = principal.EnumerateObject().Where(k => k.Name == "AWS").SelectMany(k => Strings(k.Value, "NotPrincipal")).ToHashSet(StringComparer.Ordinal);
        var root = request.PrincipalArns.FirstOrDefault(a => a.EndsWith(":root", StringComparison.Ordinal));
        var account = root?.Split(':')[4];
        var accountListed = root is not null && (listed.Contains(root) || (account is not null && listed.Contains(account)));
        if (!accountListed) return false;
        var identities = request.PrincipalArns.Where(a => a != root).ToList();
        return identities.Count == 0 || identities.Any(listed.Contains);
    }

    private static bool IsAccountId(string value) => value.Length == 12 && value.All(char.IsAsciiDigit);

    private static bool ActionMatches(JsonElement statement, string action)
    {
        if (statement.TryGetProperty("Action", out var actions))
        {
            return Strings(actions, "Action").Any(pattern => Wildcard.IsMatch(pattern, action, ignoreCase: true));
        }

        if (statement.TryGetProperty("NotAction", out var notActions))
        {
            return !Strings(notActions, "NotAction").Any(pattern => Wildcard.IsMatch(pattern, action, ignoreCase: true));
        }

        throw new PolicyShapeException("no Action or NotAction");
    }

    private static bool ResourceMatches(JsonElement statement, string resource)
    {
        if (statement.TryGetProperty("Resource", out var resources))
        {
            return Strings(resources, "Resource").Any(pattern => Wildcard.IsMatch(pattern, resource, ignoreCase: false));
        }

        if (statement.TryGetProperty("NotResource", out var notResources))
        {
            return !Strings(notResources, "NotResource").Any(pattern => Wildcard.IsMatch(pattern, resource, ignoreCase: false));
        }

        throw new PolicyShapeException("no Resource or NotResource");
    }

    private static bool ConditionsMatch(JsonElement statement, PolicyRequest request)
    {
        if (!statement.TryGetProperty("Condition", out var condition))
        {
            return true;
        }

        if (condition.ValueKind != JsonValueKind.Object)
        {
            throw new PolicyShapeException("Condition must be an object");
        }

        foreach (var block in condition.EnumerateObject())
        {
            var op = block.Name;
            var ifExists = op.EndsWith("IfExists", StringComparison.Ordinal) && op != "IfExists";
            if (ifExists)
            {
                op = op[..^"IfExists".Length];
            }

            if (!Operators.Contains(op))
            {
                throw new PolicyShapeException($"unsupported condition operator '{block.Name}'");
            }

            if (block.Value.ValueKind != JsonValueKind.Object)
            {
                throw new PolicyShapeException($"condition '{block.Name}' must map keys to values");
            }

            foreach (var key in block.Value.EnumerateObject())
            {
                if (!KeyMatches(op, ifExists, key.Name, Strings(key.Value, $"{block.Name}.{key.Name}"), request))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool KeyMatches(string op, bool ifExists, string key, IReadOnlyList<string> values, PolicyRequest request)
    {
        var present = request.ConditionKeys.TryGetValue(key, out var actual);
        if (op == "Null")
        {
            return values.Any(v => v switch
            {
                "true" => !present,
                "false" => present,
                _ => throw new PolicyShapeException($"Null condition on '{key}' needs \"true\" or \"false\""),
            });
        }

        var negated = op.Contains("Not", StringComparison.Ordinal);
        if (!present)
        {
            return ifExists || negated;
        }

        var value = actual!;
        Func<string, bool> test = op switch
        {
            "StringEquals" or "StringNotEquals" => v => v == value,
            "StringEqualsIgnoreCase" or "StringNotEqualsIgnoreCase" => v => string.Equals(v, value, StringComparison.OrdinalIgnoreCase),
            "StringLike" or "StringNotLike" => v => Wildcard.IsMatch(v, value, ignoreCase: false),
            "ArnEquals" or "ArnNotEquals" or "ArnLike" or "ArnNotLike" => v => ArnMatches(v, value),
            "Bool" => v => string.Equals(v, value, StringComparison.OrdinalIgnoreCase),
            "DateEquals" or "DateNotEquals" => v => Date(value, key) == Date(v, key),
            "DateLessThan" => v => Date(value, key) < Date(v, key),
            "DateLessThanEquals" => v => Date(value, key) <= Date(v, key),
            "DateGreaterThan" => v => Date(value, key) > Date(v, key),
            "DateGreaterThanEquals" => v => Date(value, key) >= Date(v, key),
            _ => throw new PolicyShapeException($"unsupported condition operator '{op}'"),
        };
        var any = values.Any(test);
        return negated ? !any : any;
    }

    /// <summary>
    /// A date as the Date operators take it: ISO 8601 (a date, or a date and time; UTC unless it says otherwise) or
    /// epoch seconds
    /// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date).
    /// A value that is neither cannot be evaluated.
    /// </summary>
    private static DateTimeOffset Date(string text, string key)
    {
        if (long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var epoch))
        {
            return DateTimeOffset.FromUnixTimeSeconds(epoch);
        }

        if (text.Length >= 10 && text[4] == '-' && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var date))
        {
            return date;
        }

        throw new PolicyShapeException($"'{text}' in a Date condition on '{key}' is not an ISO 8601 date or epoch seconds");
    }

    /// <summary>IAM compares ARNs component by component; the resource part may itself contain colons.</summary>
    private static bool ArnMatches(string pattern, string value)
    {
        var patternParts = pattern.Split(':', 6);
        var valueParts = value.Split(':', 6);
        if (patternParts.Length != 6 || valueParts.Length != 6)
        {
            return pattern == "*" || pattern == value;
        }

        for (var i = 0; i < 6; i++)
        {
            if (!Wildcard.IsMatch(patternParts[i], valueParts[i], ignoreCase: false))
            {
                return false;
            }
        }

        return true;
    }

    private static IReadOnlyList<string> Strings(JsonElement element, string what)
    {
        return element.ValueKind switch
        {
            JsonValueKind.Array => element.EnumerateArray().Select(e => Scalar(e, what)).ToList(),
            _ => [Scalar(element, what)],
        };

        static string Scalar(JsonElement e, string what) => e.ValueKind switch
        {
            JsonValueKind.String => e.GetString()!,
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Number => e.GetRawText(),
            _ => throw new PolicyShapeException($"{what} must be a string or a list of strings"),
        };
    }
}
