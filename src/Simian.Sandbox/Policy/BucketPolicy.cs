using System.Text;
using System.Text.Json;

namespace Simian.Sandbox.Policy;

/// <summary>A stored bucket policy: the exact bytes that were put, plus their parsed form for evaluation.</summary>
internal sealed class BucketPolicy
{
    /// <summary>S3's limit on a bucket policy document.</summary>
    public const int MaxBytes = 20 * 1024;

    private BucketPolicy(byte[] raw, JsonElement root)
    {
        Raw = raw;
        Root = root;
    }

    public byte[] Raw { get; }

    public JsonElement Root { get; }

    public string Text => Encoding.UTF8.GetString(Raw);

    /// <summary>
    /// Checks a document the way PutBucketPolicy does and stores it as S3 does: without the whitespace between JSON
    /// tokens (strings untouched). The 20 KB limit counts that form
    /// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/add-bucket-policy.html). With <paramref name="bucket"/>,
    /// resources must be that bucket or its objects, actions must exist in S3's action list, and principals must be
    /// well formed, as S3 answers MalformedPolicy otherwise
    /// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html).
    /// </summary>
    public static BucketPolicy Parse(byte[] input, string? bucket = null)
    {
        var raw = Minify(input);
        if (raw.Length > MaxBytes)
        {
            throw new MalformedPolicyException(
                $"Policy exceeds the maximum allowed document size ({raw.Length} bytes without whitespace; the limit is {MaxBytes}).");
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(raw);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new MalformedPolicyException($"Policies must be valid JSON: {e.Message}");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new MalformedPolicyException("Policies must be valid JSON and the first byte must be '{'");
        }

        if (!root.TryGetProperty("Statement", out var statements))
        {
            throw new MalformedPolicyException("Missing required field Statement");
        }

        var list = statements.ValueKind switch
        {
            JsonValueKind.Object => [statements],
            JsonValueKind.Array => statements.EnumerateArray().ToList(),
            _ => throw new MalformedPolicyException("Statement must be an object or a list of objects"),
        };
        if (list.Count == 0)
        {
            throw new MalformedPolicyException("Could not parse the policy: Statement is empty!");
        }

        foreach (var statement in list)
        {
            CheckStatement(statement);
            if (bucket is not null) CheckContent(statement, bucket);
        }

        return new BucketPolicy(raw, root);
    }

    /// <summary>The document without whitespace outside strings; anything that is not JSON is left as it is (Parse refuses it).</summary>
    public static byte[] Minify(byte[] input)
    {
        var output = new List<byte>(input.Length);
        var inString = false;
        var escaped = false;
        foreach (var b in input)
        {
            if (inString)
            {
                output.Add(b);
                if (escaped) escaped = false;
                else if (b == '\\') escaped = true;
                else if (b == '"') inString = false;
            }
            else if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                continue;
            }
            else
            {
                if (b == '"') inString = true;
                output.Add(b);
            }
        }

        return output.ToArray();
    }

    private static void CheckContent(JsonElement statement, string bucket)
    {
        foreach (var key in new[] { "Resource", "NotResource" })
        {
            foreach (var resource in Values(statement, key))
            {
                var arn = resource.Split(':', 6);
                var ok = arn.Length == 6 && arn[0] == "arn" && arn[2] == "s3" && arn[3].Length == 0 && arn[4].Length == 0
                    && (arn[5] == bucket || arn[5].StartsWith(bucket + "/", StringComparison.Ordinal));
                if (!ok) throw new MalformedPolicyException("Policy has invalid resource");
            }
        }

        foreach (var key in new[] { "Action", "NotAction" })
        {
            foreach (var action in Values(statement, key))
            {
                var ok = action == "*" || (action.StartsWith("s3:", StringComparison.OrdinalIgnoreCase) && Simian.Shared.S3Actions.Exists(action));
                if (!ok) throw new MalformedPolicyException("Policy has invalid action");
            }
        }

        foreach (var key in new[] { "Principal", "NotPrincipal" })
        {
            if (!statement.TryGetProperty(key, out var principal)) continue;
            if (!ValidPrincipal(principal)) throw new MalformedPolicyException("Invalid principal in policy");
        }
    }

    private static bool ValidPrincipal(JsonElement principal)
    {
        if (principal.ValueKind == JsonValueKind.String) return principal.GetString() == "*";
        if (principal.ValueKind != JsonValueKind.Object) return false;
        foreach (var kind in principal.EnumerateObject())
        {
            var values = kind.Value.ValueKind switch
            {
                JsonValueKind.String => [kind.Value.GetString()!],
                JsonValueKind.Array when kind.Value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String) =>
                    kind.Value.EnumerateArray().Select(v => v.GetString()!).ToList(),
                _ => (List<string>?)null,
            };
            if (values is null || values.Count == 0) return false;
            Func<string, bool> valid = kind.Name switch
            {
                "AWS" => v => v == "*" || IsAccount(v) || IsIamPrincipalArn(v),
                "Service" => v => v.EndsWith(".amazonaws.com", StringComparison.Ordinal) || v.EndsWith(".amazonaws.com.cn", StringComparison.Ordinal),
                "CanonicalUser" => v => v.Length == 64 && v.All(char.IsAsciiHexDigit),
                "Federated" => v => v.Length > 0,
                _ => _ => false,
            };
            if (!values.All(valid)) return false;
        }

        return true;
    }

    private static bool IsAccount(string value) => value.Length == 12 && value.All(char.IsAsciiDigit);

    /// <summary>arn:PARTITION:iam::ACCOUNT:(root|user/…|role/…|federated-user/…) or arn:PARTITION:sts::ACCOUNT:(assumed-role/…|federated-user/…).</summary>
    private static bool IsIamPrincipalArn(string value)
    {
        var parts = value.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn" || parts[1].Length == 0 || parts[3].Length != 0 || !IsAccount(parts[4])) return false;
        return parts[2] switch
        {
            "iam" => parts[5] == "root" || parts[5].StartsWith("user/", StringComparison.Ordinal) || parts[5].StartsWith("role/", StringComparison.Ordinal)
                || parts[5].StartsWith("federated-user/", StringComparison.Ordinal),
            "sts" => parts[5].StartsWith("assumed-role/", StringComparison.Ordinal) || parts[5].StartsWith("federated-user/", StringComparison.Ordinal),
            _ => false,
        };
    }

    private static IEnumerable<string> Values(JsonElement statement, string key)
    {
        if (!statement.TryGetProperty(key, out var value)) yield break;
        if (value.ValueKind == JsonValueKind.String)
        {
            yield return value.GetString()!;
            yield break;
        }

        if (value.ValueKind != JsonValueKind.Array) throw new MalformedPolicyException($"{key} must be a string or a list of strings");
        foreach (var item in value.EnumerateArray())
        {
            yield return item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new MalformedPolicyException($"{key} must be a string or a list of strings");
        }
    }

    public IEnumerable<JsonElement> Statements()
    {
        var statements = Root.GetProperty("Statement");
        return statements.ValueKind == JsonValueKind.Array ? statements.EnumerateArray() : [statements];
    }

    private static void CheckStatement(JsonElement statement)
    {
        if (statement.ValueKind != JsonValueKind.Object)
        {
            throw new MalformedPolicyException("Each Statement must be an object");
        }

        if (!statement.TryGetProperty("Effect", out var effect) || effect.ValueKind != JsonValueKind.String
            || effect.GetString() is not ("Allow" or "Deny"))
        {
            throw new MalformedPolicyException("Invalid effect: each statement needs \"Effect\": \"Allow\" or \"Deny\"");
        }

        if (!statement.TryGetProperty("Action", out _) && !statement.TryGetProperty("NotAction", out _))
        {
            throw new MalformedPolicyException("Missing required field Action");
        }

        if (!statement.TryGetProperty("Resource", out _) && !statement.TryGetProperty("NotResource", out _))
        {
            throw new MalformedPolicyException("Missing required field Resource");
        }

        if (!statement.TryGetProperty("Principal", out _) && !statement.TryGetProperty("NotPrincipal", out _))
        {
            throw new MalformedPolicyException("Missing required field Principal");
        }
    }
}
