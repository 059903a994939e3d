namespace Simian.Core.Journal;

/// <summary>
/// A second, shared copy of a journal (see <see cref="Shared.ISharedState"/>). <see cref="JournalWriter"/> writes each
/// line to its local file first, then here, and returns only once both are durable: a change is announced in both
/// places before it is made.
/// </summary>
public interface IJournalMirror
{
    /// <summary>Where the copy is, for messages.</summary>
    string Location { get; }

    /// <summary>
    /// Writes one line (with its newline) durably, after every line written before it. Throws
    /// <see cref="Shared.SharedStateException"/> when it cannot. With <paramref name="keepOnFailure"/> a line that
    /// could not be written is kept and written, in order, before the next one (or by <see cref="Flush"/>); without,
    /// it is dropped (the caller takes it back from the local journal as well).
    /// </summary>
    void Write(ReadOnlyMemory<byte> line, bool keepOnFailure);

    /// <summary>Writes the lines kept after failures; false when some are still not written.</summary>
    bool Flush();

    /// <summary>Lines kept after failures and not yet written.</summary>
    int Behind { get; }
}
