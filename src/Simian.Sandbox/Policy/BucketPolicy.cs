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

    /// <summary>Checks a document the way PutBucketPolicy does and keeps it byte for byte.</summary>
    public static BucketPolicy Parse(byte[] raw)
    {
        if (raw.Length > MaxBytes)
        {
            throw new MalformedPolicyException(
                $"Policy exceeds the maximum allowed document size ({raw.Length} bytes; the limit is {MaxBytes}).");
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
        }

        return new BucketPolicy(raw, root);
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
