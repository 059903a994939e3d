using System.Globalization;
using Simian.Core.Journal;
using Simian.Core.Shared;

namespace Simian.Aws.State;

/// <summary>
/// A run's shared journal: one S3 object per line, <c>runs/RUN/events/00000001.jsonl</c>, each created with
/// <c>If-None-Match: *</c> so no line is ever overwritten; a line is durable once S3 acknowledged its PUT
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html#ConsistencyModel). Lines are read back in key
/// order. The journal writer calls it synchronously, under its own lock, so lines keep their order.
/// </summary>
internal sealed class S3JournalMirror(S3StateObjects objects, string runId, int nextIndex, TimeSpan timeout) : IJournalMirror
{
    private readonly object _gate = new();
    private readonly Queue<byte[]> _backlog = new();
    private int _next = nextIndex;

    public string Location => $"{objects.Location}{Prefix(runId)}";

    public int Behind
    {
        get
        {
            lock (_gate) return _backlog.Count;
        }
    }

    public static string Prefix(string runId) => $"runs/{runId}/events/";

    public static string Key(string runId, int index) => Prefix(runId) + index.ToString("D8", CultureInfo.InvariantCulture) + ".jsonl";

    /// <summary>The index a line has from its key, or -1 when the key is not a journal line's.</summary>
    public static int IndexOf(string key)
    {
        var name = key[(key.LastIndexOf('/') + 1)..];
        return name.EndsWith(".jsonl", StringComparison.Ordinal) && int.TryParse(name[..^".jsonl".Length], NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1;
    }

    public void Write(ReadOnlyMemory<byte> line, bool keepOnFailure)
    {
        lock (_gate)
        {
            try
            {
                FlushLocked();
                WriteOne(line.ToArray());
            }
            catch (SharedStateException)
            {
                if (keepOnFailure) _backlog.Enqueue(line.ToArray());
                throw;
            }
        }
    }

    public bool Flush()
    {
        lock (_gate)
        {
            try
            {
                FlushLocked();
                return true;
            }
            catch (SharedStateException)
            {
                return false;
            }
        }
    }

    private void FlushLocked()
    {
        while (_backlog.TryPeek(out var kept))
        {
            WriteOne(kept);
            _backlog.Dequeue();
        }
    }

    /// <summary>
    /// Creates the next line's object. An index already taken holds either this very line (an earlier attempt
    /// landed though its answer was lost) or another writer's: then the line goes to the next free index.
    /// </summary>
    private void WriteOne(byte[] line)
    {
        try
        {
            WriteOneOrTimeOut(line);
        }
        catch (OperationCanceledException e)
        {
            throw new SharedStateException($"{Location}: no answer within {Simian.Core.Profiles.Duration.Format(timeout)}", e);
        }
    }

    private void WriteOneOrTimeOut(byte[] line)
    {
        for (var tries = 0; tries < 16; tries++)
        {
            var key = Key(runId, _next);
            using var cancel = new CancellationTokenSource(timeout);
            var created = Task.Run(() => objects.CreateAsync(key, line, cancel.Token)).GetAwaiter().GetResult();
            if (created is not null)
            {
                _next++;
                return;
            }
            var there = Task.Run(() => objects.GetAsync(key, cancel.Token)).GetAwaiter().GetResult();
            _next++;
            if (there is not null && there.Body.AsSpan().SequenceEqual(line)) return;
        }
        throw new SharedStateException($"{Location}: 16 journal indexes in a row were taken by another writer");
    }
}
