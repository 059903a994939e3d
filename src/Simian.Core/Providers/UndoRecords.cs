using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Simian.Core.Providers;

/// <summary>
/// Typed undo records. A fault declares its record (a C# record with <c>required</c> members for what undo cannot do
/// without) and a source-generated <c>JsonSerializerContext</c> beside it, then writes it with <see cref="Write{T}"/> in
/// capture and reads it with <see cref="Read{T}"/> in apply, keep-alive and undo — no string keys, no casts. The JSON
/// names are the journal's (camelCase), so journals written before the records were typed read the same.
/// </summary>
public static class UndoRecords
{
    public static JsonObject Write<T>(T record, JsonTypeInfo<T> type) => JsonSerializer.SerializeToNode(record, type)!.AsObject();

    /// <summary>Reads a journaled record; one that lacks what undo needs, or holds the wrong kind of value, is refused with why.</summary>
    /// <param name="what">What the record is for, e.g. "the latency toxic on proxy db".</param>
    public static T Read<T>(JsonObject undo, JsonTypeInfo<T> type, string what)
    {
        try
        {
            return undo.Deserialize(type) ?? throw new UndoRecordException(what, "it is null");
        }
        catch (JsonException e)
        {
            throw new UndoRecordException(what, e.Path is { Length: > 1 } path ? $"{path[2..]}: {FirstSentence(e.Message)}" : FirstSentence(e.Message));
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }
}

/// <summary>A journaled undo record this fault cannot read: written by something else, or edited.</summary>
public sealed class UndoRecordException(string what, string why)
    : SimianException($"the journal's undo record for {what} cannot be read ({why}); it was not written by this version of the fault, or was edited")
{
    public override int ExitCode => ExitCodes.Provider;
}
