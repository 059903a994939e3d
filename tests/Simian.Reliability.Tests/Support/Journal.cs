using System.Text.Json.Nodes;

namespace Simian.Reliability.Tests.Support;

/// <summary>Reads a journal the way an operator would, while its run may still be writing it.</summary>
public static class Journal
{
    public static string Text(string path)
    {
        if (!File.Exists(path)) return "";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Every complete line as a JSON object.</summary>
    public static List<JsonObject> Events(string path) =>
        Text(path).Split('\n').Where(l => l.EndsWith('}')).Select(l => (JsonObject)JsonNode.Parse(l)!).ToList();

    public static int Count(string path, string eventName) =>
        Text(path).Split('\n').Count(l => l.Contains($"\"event\":\"{eventName}\"", StringComparison.Ordinal));
}
