using Simian.Core.Journal;

namespace Simian.Testing;

/// <summary>Reads a journal through the product's one reader (<see cref="JournalState"/>), while its run may still be writing it.</summary>
public static class Journal
{
    /// <summary>The whole file as text ("" while it does not exist yet).</summary>
    public static string Text(string path)
    {
        if (!File.Exists(path)) return "";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The journal read back, or an empty one while the file does not exist yet.</summary>
    public static JournalState Read(string path) => File.Exists(path) ? JournalState.Read(path) : new JournalState { Path = path };

    /// <summary>Every readable event, typed, in order.</summary>
    public static IReadOnlyList<JournalEvent> Events(string path) => Read(path).Events;

    /// <summary>How many events of one kind (see <see cref="JournalEventNames"/>) the journal holds so far.</summary>
    public static int Count(string path, string eventName) => Read(path).Events.Count(e => e.Kind == eventName);
}
