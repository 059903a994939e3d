using System.Globalization;
using System.Text.Json;
using Simian.Core.Shared;

namespace Simian.Aws.State;

/// <summary>
/// The small JSON documents shared state keeps, written with <see cref="Utf8JsonWriter"/> and read with
/// <see cref="JsonDocument"/> (no reflection, so the Native AOT build stays trim-safe). Whatever is read is checked:
/// the bucket is shared, so its contents are data to check, not orders.
/// </summary>
internal static class StateDocuments
{
    /// <summary>A lock on one target, and who holds it until when.</summary>
    public sealed record Lock(RunIdentity Holder, string Target, DateTimeOffset Acquired, DateTimeOffset Expires);

    /// <summary>An unfinished run: who runs it, and which lock objects it took.</summary>
    public sealed record Active(RunIdentity Run, DateTimeOffset Started, IReadOnlyList<string> Locks);

    /// <summary>A recover's claim on a dead run.</summary>
    public sealed record Claim(RunIdentity By, DateTimeOffset Expires);

    public static byte[] Write(Lock l) => Json(w =>
    {
        Identity(w, l.Holder);
        w.WriteString("target", l.Target);
        w.WriteString("acquired", l.Acquired.ToString("O", CultureInfo.InvariantCulture));
        w.WriteString("expires", l.Expires.ToString("O", CultureInfo.InvariantCulture));
    });

    public static byte[] Write(Active a) => Json(w =>
    {
        Identity(w, a.Run);
        w.WriteString("started", a.Started.ToString("O", CultureInfo.InvariantCulture));
        w.WriteStartArray("locks");
        foreach (var key in a.Locks) w.WriteStringValue(key);
        w.WriteEndArray();
    });

    public static byte[] Write(Claim c) => Json(w =>
    {
        Identity(w, c.By);
        w.WriteString("expires", c.Expires.ToString("O", CultureInfo.InvariantCulture));
    });

    public static byte[] Heartbeat(RunIdentity run, DateTimeOffset at) => Json(w =>
    {
        Identity(w, run);
        w.WriteString("at", at.ToString("O", CultureInfo.InvariantCulture));
    });

    public static Lock? ReadLock(byte[] body) => Read(body, root => new Lock(ReadIdentity(root), Text(root, "target"), Date(root, "acquired"), Date(root, "expires")));

    public static Active? ReadActive(byte[] body) => Read(body, root => new Active(ReadIdentity(root), Date(root, "started"),
        root.TryGetProperty("locks", out var locks) && locks.ValueKind == JsonValueKind.Array
            ? locks.EnumerateArray().Select(k => k.GetString() ?? throw new FormatException("a lock key is not a string")).Where(IsLockKey).ToList()
            : []));

    public static Claim? ReadClaim(byte[] body) => Read(body, root => new Claim(ReadIdentity(root), Date(root, "expires")));

    /// <summary>Run ids as simian makes them: what a listing may turn into a file name or a key.</summary>
    public static bool IsRunId(string id) => id.Length is >= 6 and <= 64 && id.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    public static bool IsLockKey(string key) =>
        key.StartsWith("locks/", StringComparison.Ordinal) && key.EndsWith(".json", StringComparison.Ordinal)
        && key["locks/".Length..^".json".Length] is { Length: 40 } hash && hash.All(char.IsAsciiHexDigitLower);

    private static T? Read<T>(byte[] body, Func<JsonElement, T> read)
        where T : class
    {
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
            return document.RootElement.ValueKind == JsonValueKind.Object ? read(document.RootElement) : null;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            return null;
        }
    }

    private static RunIdentity ReadIdentity(JsonElement root)
    {
        var runId = Text(root, "runId");
        if (!IsRunId(runId)) throw new FormatException("not a run id");
        return new RunIdentity(runId, Text(root, "experiment"), Text(root, "host"), Text(root, "user"),
            root.TryGetProperty("pid", out var pid) && pid.TryGetInt32(out var p) ? p : 0);
    }

    private static void Identity(Utf8JsonWriter w, RunIdentity run)
    {
        w.WriteString("runId", run.RunId);
        w.WriteString("experiment", run.Experiment);
        w.WriteString("host", run.Host);
        w.WriteString("user", run.User);
        w.WriteNumber("pid", run.Pid);
    }

    /// <summary>A string property, cut to a sane length (it is shown in messages).</summary>
    private static string Text(JsonElement root, string name)
    {
        var value = root.GetProperty(name).GetString() ?? throw new FormatException($"{name} is not a string");
        return value.Length > 200 ? value[..200] : value;
    }

    private static DateTimeOffset Date(JsonElement root, string name) =>
        DateTimeOffset.Parse(Text(root, name), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
