using System.Text;

namespace Simian.Cli.Output;

/// <summary>
/// simian's stderr, which never blocks the writer: lines go into a bounded queue that a background thread writes
/// out. When nobody reads the other end (a paused <c>tee</c>, a stuck log shipper, a suspended terminal), the queue
/// fills and further output is dropped and counted rather than waited on — so logging, the status line and signal
/// messages can never hold up a rollback.
/// </summary>
public sealed class NonBlockingWriter : TextWriter
{
    private readonly Stream _output;
    private readonly int _maxQueuedChars;
    private readonly Queue<string> _queue = new();
    private readonly StringBuilder _pending = new();
    private readonly SemaphoreSlim _ready = new(0);
    private Thread? _thread;
    private int _queuedChars;
    private long _droppedLines;
    private bool _writing;

    public NonBlockingWriter(Stream output, int maxQueuedChars = 1 << 20)
    {
        _output = output;
        _maxQueuedChars = maxQueuedChars;
    }

    public override Encoding Encoding => Encoding.UTF8;

    /// <summary>Lines dropped because the reader was not keeping up.</summary>
    public long DroppedLines => Interlocked.Read(ref _droppedLines);

    public override void Write(char value)
    {
        lock (_queue)
        {
            _pending.Append(value);
            if (value == '\n' || _pending.Length >= 8192) EnqueuePending();
        }
    }

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        lock (_queue)
        {
            _pending.Append(value);
            if (value.Contains('\n') || _pending.Length >= 8192) EnqueuePending();
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    /// <summary>Hands what is buffered to the writer thread; never waits for it to be written.</summary>
    public override void Flush()
    {
        lock (_queue) EnqueuePending();
    }

    /// <summary>
    /// Waits, at most <paramref name="within"/>, for the queue to reach the reader — the end of the process. A count
    /// of dropped lines is added first, in case the reader has come back.
    /// </summary>
    public bool Drain(TimeSpan within)
    {
        if (DroppedLines > 0) Write($"simian: {DroppedLines} line(s) of output were dropped because stderr was not being read{Environment.NewLine}");
        Flush();
        var deadline = Environment.TickCount64 + (long)within.TotalMilliseconds;
        lock (_queue)
        {
            while (_queue.Count > 0 || _writing)
            {
                var left = deadline - Environment.TickCount64;
                if (left <= 0) return false;
                Monitor.Wait(_queue, TimeSpan.FromMilliseconds(left));
            }
            return true;
        }
    }

    private void EnqueuePending()
    {
        if (_pending.Length == 0) return;
        var chunk = _pending.ToString();
        _pending.Clear();
        if (_queuedChars + chunk.Length > _maxQueuedChars)
        {
            var lines = chunk.Count(c => c == '\n');
            Interlocked.Add(ref _droppedLines, Math.Max(1, lines));
            return;
        }
        _queue.Enqueue(chunk);
        _queuedChars += chunk.Length;
        // Started with the first line (under the queue's lock): a command that prints nothing to stderr
        // (validate, --version) starts no thread.
        if (_thread is null)
        {
            _thread = new Thread(Pump) { IsBackground = true, Name = "simian stderr" };
            _thread.Start();
        }
        _ready.Release();
    }

    private void Pump()
    {
        while (true)
        {
            _ready.Wait();
            string chunk;
            lock (_queue)
            {
                if (_queue.Count == 0) continue;
                chunk = _queue.Dequeue();
                _writing = true;
            }
            try
            {
                var bytes = Encoding.UTF8.GetBytes(chunk);
                _output.Write(bytes);
                _output.Flush();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The reader went away: nothing more can be shown; keep draining so writers never wait.
            }
            finally
            {
                lock (_queue)
                {
                    _queuedChars -= chunk.Length;
                    _writing = false;
                    Monitor.PulseAll(_queue);
                }
            }
        }
    }
}
