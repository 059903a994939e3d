using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Simian.Aws.S3;

/// <summary>
/// Adds and removes Simian's own Deny statement in a bucket policy without touching any other statement.
/// Documents are handled as <see cref="JsonNode"/>s and written with <see cref="Utf8JsonWriter"/> (no reflection).
/// </summary>
internal static class BucketPolicyDocument
{
    /// <summary>S3's limit on the size of a bucket policy.</summary>
    public const int MaxBytes = 20 * 1024;

    public const string DefaultVersion = "2012-10-17";

    private static readonly JsonDocumentOptions ReadOptions = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>
    /// The original document (or a new one) with one more statement: Deny <paramref name="actions"/> on the bucket
    /// and its objects to every principal except <paramref name="exemptPrincipalArns"/>.
    /// </summary>
    /// <param name="denyServices">
    /// False: AWS service principals are left out (<c>"Null": {"aws:PrincipalServiceName": "true"}</c>): their
    /// requests carry no aws:PrincipalArn, so the StringNotLike exemption alone would deny them.
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalservicename
    /// </param>
    /// <param name="expires">
    /// When S3 itself stops enforcing the statement (<c>"DateLessThan": {"aws:CurrentTime": ...}</c>): the dead-man's
    /// switch for a run that dies with nobody left to undo it.
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
    /// </param>
    public static string Merge(string? original, string sid, string partition, string bucket, IReadOnlyList<string> actions,
        IReadOnlyList<string> exemptPrincipalArns, bool denyServices = false, DateTimeOffset? expires = null)
    {
        var condition = new JsonObject
        {
            ["StringNotLike"] = new JsonObject { ["aws:PrincipalArn"] = Strings(exemptPrincipalArns) },
        };
        if (!denyServices) condition["Null"] = new JsonObject { ["aws:PrincipalServiceName"] = "true" };
        if (expires is { } until) condition["DateLessThan"] = new JsonObject { ["aws:CurrentTime"] = Date(until) };
        var statement = new JsonObject
        {
            ["Sid"] = sid,
            ["Effect"] = "Deny",
            ["Principal"] = "*",
            ["Action"] = Strings(actions),
            ["Resource"] = Strings([$"arn:{partition}:s3:::{bucket}", $"arn:{partition}:s3:::{bucket}/*"]),
            ["Condition"] = condition,
        };
        if (original is null)
        {
            return Write(new JsonObject { ["Version"] = DefaultVersion, ["Statement"] = new JsonArray(statement) });
        }
        var document = Parse(original) ?? throw new FormatException("the bucket's current policy is not a JSON object");
        // Rebuilt property by property so the document keeps its order; only Statement changes.
        var merged = new JsonObject();
        var sawStatement = false;
        foreach (var (name, value) in document)
        {
            if (name == "Statement")
            {
                sawStatement = true;
                var statements = value switch
                {
                    JsonArray list => new JsonArray(list.Select(s => s?.DeepClone()).ToArray()),
                    null => [],
                    _ => new JsonArray(value.DeepClone()),
                };
                statements.Add((JsonNode)statement);
                merged[name] = statements;
            }
            else
            {
                merged[name] = value?.DeepClone();
            }
        }
        if (!sawStatement) merged["Statement"] = new JsonArray(statement);
        return Write(merged);
    }

    public static int Size(string policy) => Encoding.UTF8.GetByteCount(policy);

    /// <summary>The expiry as the policy carries it: ISO 8601 in UTC, to the second.</summary>
    public static string Date(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The document with statement <paramref name="sid"/>'s expiry moved to <paramref name="expires"/>, or null when the
    /// statement is not there (or carries no expiry): nothing to renew.
    /// </summary>
    public static string? WithExpiry(string? policy, string sid, DateTimeOffset expires)
    {
        if (policy is null || Parse(policy) is not { } document) return null;
        var statement = Statements(document).OfType<JsonObject>().FirstOrDefault(s => IsSid(s, sid));
        if (statement?["Condition"] is not JsonObject condition || condition["DateLessThan"] is not JsonObject until || !until.ContainsKey("aws:CurrentTime")) return null;
        until["aws:CurrentTime"] = Date(expires);
        return Write(document);
    }

    /// <summary>When statement <paramref name="sid"/> stops applying on S3, or null when it carries no expiry.</summary>
    public static string? ExpiryOf(string? policy, string sid)
    {
        if (policy is null || Parse(policy) is not { } document) return null;
        var statement = Statements(document).OfType<JsonObject>().FirstOrDefault(s => IsSid(s, sid));
        return statement?["Condition"]?["DateLessThan"]?["aws:CurrentTime"] is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;
    }

    /// <summary>True when the document holds a statement with this Sid; false also when it cannot be read.</summary>
    public static bool HasStatement(string? policy, string sid) =>
        policy is not null && Parse(policy) is { } document && Statements(document).Any(s => IsSid(s, sid));

    /// <summary>The document without the statement <paramref name="sid"/>, or null when no statement would remain.</summary>
    public static string? Without(string policy, string sid)
    {
        var document = Parse(policy) ?? throw new FormatException("the bucket's current policy is not a JSON object");
        var rest = Statements(document).Where(s => !IsSid(s, sid)).Select(s => s?.DeepClone()).ToArray();
        if (rest.Length == 0) return null;
        var result = new JsonObject();
        foreach (var (name, value) in document)
        {
            result[name] = name == "Statement" ? new JsonArray(rest) : value?.DeepClone();
        }
        return Write(result);
    }

    /// <summary>Same JSON, whatever the whitespace: S3 may hand back a document formatted differently from what was put.</summary>
    public static bool SameDocument(string? a, string? b)
    {
        if (a is null || b is null) return a is null && b is null;
        if (a == b) return true;
        var x = Parse(a);
        var y = Parse(b);
        return x is not null && y is not null && JsonNode.DeepEquals(x, y);
    }

    private static JsonObject? Parse(string policy)
    {
        try
        {
            return JsonNode.Parse(policy, documentOptions: ReadOptions) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IEnumerable<JsonNode?> Statements(JsonObject document) => document["Statement"] switch
    {
        JsonArray list => list,
        null => Array.Empty<JsonNode?>(),
        var single => new[] { single },
    };

    private static bool IsSid(JsonNode? statement, string sid) =>
        statement is JsonObject o && o["Sid"] is JsonValue v && v.TryGetValue<string>(out var s) && s == sid;

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    private static string Write(JsonObject document)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            document.WriteTo(writer);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
