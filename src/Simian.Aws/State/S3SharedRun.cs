using Simian.Core.Journal;
using Simian.Core.Shared;

namespace Simian.Aws.State;

/// <summary>
/// A run's part of the shared state while it runs: every quarter of the lease it renews each lock (<c>If-Match</c>
/// on the ETag it holds) and rewrites its heartbeat. A lock someone else took over, or renewals failing until a lock
/// expired, cancels <see cref="Lost"/>: the run can no longer prove its targets are its own, so it stops and rolls back.
/// </summary>
internal sealed class S3SharedRun : ISharedRun
{
    private readonly S3SharedState _state;
    private readonly S3StateObjects _objects;
    private readonly TimeProvider _time;
    private readonly RunIdentity _run;
    private readonly List<(string Key, string Target, string ETag)> _locks;
    private readonly S3JournalMirror _mirror;
    private readonly Action<string> _note;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private DateTimeOffset _renewedUntil;
    private bool _ended;

    public S3SharedRun(S3SharedState state, S3StateObjects objects, TimeProvider time, RunIdentity run, List<(string Key, string Target, string ETag)> locks,
        S3JournalMirror mirror, Action<string> note)
    {
        _state = state;
        _objects = objects;
        _time = time;
        _run = run;
        _locks = locks;
        _mirror = mirror;
        _note = note;
        _renewedUntil = time.GetUtcNow() + state.Lease;
        _loop = Task.Run(() => RenewLoopAsync(_stop.Token));
    }

    public IJournalMirror Journal => _mirror;

    public CancellationToken Lost => _lost.Token;

    public string? LostReason { get; private set; }

    private async Task RenewLoopAsync(CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromTicks(_state.Lease.Ticks / 4);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(interval, _time, cancellationToken).ConfigureAwait(false);
                await RenewOnceAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task RenewOnceAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var until = now + _state.Lease;
        try
        {
            for (var i = 0; i < _locks.Count; i++)
            {
                var (key, target, etag) = _locks[i];
                var body = StateDocuments.Write(new StateDocuments.Lock(_run, target, now, until));
                var renewed = await _objects.ReplaceAsync(key, body, etag, cancellationToken).ConfigureAwait(false);
                if (renewed is null)
                {
                    Lose($"the shared lock on {target} is no longer this run's (taken over or removed in {_objects.Location})");
                    return;
                }
                _locks[i] = (key, target, renewed);
            }
            await _objects.PutAsync(S3SharedState.HeartbeatKey(_run.RunId), StateDocuments.Heartbeat(_run, now), cancellationToken).ConfigureAwait(false);
            _renewedUntil = until;
        }
        catch (SharedStateException e)
        {
            if (_time.GetUtcNow() >= _renewedUntil)
            {
                Lose($"could not renew the shared locks in {_objects.Location} before they expired ({e.Message})");
            }
            else
            {
                _note($"could not renew the shared locks in {_objects.Location} (they hold until {S3SharedState.Format(_renewedUntil)}): {e.Message}");
            }
        }
    }

    private void Lose(string reason)
    {
        if (LostReason is not null) return;
        LostReason = reason;
        _note(reason);
        _lost.Cancel();
    }

    public async Task<IReadOnlyList<string>> EndAsync(bool leftNothing, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        await StopAsync().ConfigureAwait(false);
        // What the shared journal still lacks is written now, while the locks still stand.
        // Bounded by the lease too: past it the locks have lapsed anyway, and the local journal is the record.
        var deadline = _time.GetUtcNow() + (S3SharedState.WriteTimeout < _state.Lease ? S3SharedState.WriteTimeout : _state.Lease);
        while (!_mirror.Flush() && _time.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), _time, CancellationToken.None).ConfigureAwait(false);
        }
        if (_mirror.Behind > 0)
        {
            warnings.Add($"the shared journal {_mirror.Location} is {_mirror.Behind} line(s) behind the local journal; the run stays listed as unfinished. " +
                $"Once S3 answers, run `simian recover --state {_objects.Location}` on this machine: it reads the local journal");
            return warnings;
        }
        if (!leftNothing)
        {
            warnings.Add($"the run stays listed as unfinished in {_objects.Location} and its locks are left to expire: `simian recover --state {_objects.Location}` (or the team's watchdog) finishes it");
            return warnings;
        }
        try
        {
            await S3SharedState.RemoveRunAsync(_objects, _run.RunId, _locks.Select(l => l.Key), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SharedStateException or OperationCanceledException)
        {
            warnings.Add($"could not release the run's shared locks in {_objects.Location} ({e.Message}); they expire by themselves within {S3SharedState.Format(_state.Lease)}");
        }
        return warnings;
    }

    private async Task StopAsync()
    {
        if (_ended) return;
        _ended = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
        _lost.Dispose();
    }
}
