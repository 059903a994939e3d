using System.Security.Cryptography;
using System.Text;
using Simian.Core;
using Simian.Core.Journal;
using Simian.Core.Profiles;
using Simian.Core.Shared;

namespace Simian.Aws.State;

/// <summary>
/// Team-wide state in an S3 bucket, the way Terraform keeps its state there: no server of our own, only S3's
/// conditional writes. Under the prefix:
/// <list type="bullet">
/// <item><c>active/RUN.json</c>: a run not yet finished (who, when, which locks), written before anything else.</item>
/// <item><c>locks/HASH.json</c>: one per target, created with <c>If-None-Match: *</c>, renewed with <c>If-Match</c>
/// on its ETag every quarter of the lease, deleted (again with <c>If-Match</c>) at the end.</item>
/// <item><c>runs/RUN/heartbeat.json</c>: rewritten with each renewal; its age says whether the run is alive.</item>
/// <item><c>runs/RUN/events/N.jsonl</c>: the journal, one line per object (<see cref="S3JournalMirror"/>).</item>
/// <item><c>runs/RUN/recovery.json</c>: a recover's claim, so that two watchdogs never undo one run at once.</item>
/// </list>
/// </summary>
internal sealed class S3SharedState(S3StateObjects objects, TimeProvider time, TimeSpan lease) : ISharedState
{
    /// <summary>How long a recover's claim lasts before another recover may take it over.</summary>
    public static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(10);

    /// <summary>The most a run's shared journal may hold, in all, when it is read back.</summary>
    public const long MaxJournalBytes = 64L * 1024 * 1024;

    /// <summary>How long one shared journal write may take, retries included, before the run treats S3 as unavailable.</summary>
    public static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(30);

    public string Location => objects.Location;

    public TimeSpan Lease => lease;

    public static string ActiveKey(string runId) => $"active/{runId}.json";

    public static string HeartbeatKey(string runId) => $"runs/{runId}/heartbeat.json";

    public static string ClaimKey(string runId) => $"runs/{runId}/recovery.json";

    /// <summary>One lock per type, scope and id: a hash, so that no id can reach outside <c>locks/</c>.</summary>
    public static string LockKey(LockTarget target) =>
        "locks/" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{target.Type}\u0000{target.Resource.Scope}\u0000{target.Resource.Id}")))[..40] + ".json";

    public async Task<ISharedRun> BeginRunAsync(RunIdentity run, IReadOnlyList<LockTarget> targets, Action<string> note, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var keyed = targets.GroupBy(LockKey).Select(g => (Key: g.Key, Target: g.First())).OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        // Listed as unfinished before any lock: a crash from here on leaves something recover can find and clean.
        var activeTag = await objects.CreateAsync(ActiveKey(run.RunId), StateDocuments.Write(new StateDocuments.Active(run, now, keyed.Select(k => k.Key).ToList())), cancellationToken).ConfigureAwait(false)
            ?? throw new SharedStateException($"{Location}: run id {run.RunId} is already registered");
        var held = new List<(string Key, string Target, string ETag)>();
        var busy = new List<string>();
        try
        {
            foreach (var (key, target) in keyed)
            {
                var (etag, holder) = await AcquireAsync(key, target, run, note, cancellationToken).ConfigureAwait(false);
                if (etag is not null) held.Add((key, target.ToString(), etag));
                else busy.Add($"{target} ({holder})");
            }
            if (busy.Count > 0)
            {
                throw new RefusedException($"not running: held by another run in progress: {string.Join(", ", busy)} (shared state {Location})");
            }
            await objects.PutAsync(HeartbeatKey(run.RunId), StateDocuments.Heartbeat(run, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Nothing was changed: give back what was taken and leave no unfinished run behind.
            foreach (var (key, _, etag) in held) await TryAsync(() => objects.DeleteAsync(key, etag, CancellationToken.None)).ConfigureAwait(false);
            await TryAsync(() => objects.DeleteAsync(ActiveKey(run.RunId), activeTag, CancellationToken.None)).ConfigureAwait(false);
            throw;
        }
        var mirror = new S3JournalMirror(objects, run.RunId, 1, WriteTimeout);
        return new S3SharedRun(this, objects, time, run, held, mirror, note);
    }

    /// <summary>Takes one lock: its ETag, or null and who holds it.</summary>
    private async Task<(string? ETag, string? Holder)> AcquireAsync(string key, LockTarget target, RunIdentity run, Action<string> note, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var now = time.GetUtcNow();
            var body = StateDocuments.Write(new StateDocuments.Lock(run, target.ToString(), now, now + lease));
            if (await objects.CreateAsync(key, body, cancellationToken).ConfigureAwait(false) is { } created) return (created, null);
            var existing = await objects.GetAsync(key, cancellationToken).ConfigureAwait(false);
            if (existing is null) continue; // released meanwhile: try again
            var current = StateDocuments.ReadLock(existing.Body);
            if (current is null)
            {
                // Unreadable: fail closed, never take over what cannot be judged.
                return (null, $"a lock object that cannot be read: {Location}{key}");
            }
            if (current.Holder.RunId == run.RunId) return (null, "this run, twice");
            if (current.Expires > now) return (null, $"{current.Holder}, experiment '{current.Holder.Experiment}', lock renewed until {Format(current.Expires)}");
            // Expired: its run stopped renewing it. If that run left changes nobody has undone, the target is not safe to use.
            if (await objects.GetAsync(ActiveKey(current.Holder.RunId), cancellationToken).ConfigureAwait(false) is not null)
            {
                return (null, $"{current.Holder}, which stopped renewing its lock at {Format(current.Expires)} and has not been recovered: " +
                    $"run `simian recover --state {Location}` first");
            }
            if (await objects.ReplaceAsync(key, body, existing.ETag, cancellationToken).ConfigureAwait(false) is { } taken)
            {
                note($"took over the lock on {target} from {current.Holder}, which stopped renewing it at {Format(current.Expires)} and left nothing to recover");
                return (taken, null);
            }
        }
        return (null, $"another run that keeps taking and releasing it ({Location}{key})");
    }

    public async Task<IReadOnlyDictionary<LockTarget, string>> HoldersAsync(IReadOnlyList<LockTarget> targets, string? exceptRun, CancellationToken cancellationToken)
    {
        var holders = new Dictionary<LockTarget, string>();
        foreach (var target in targets)
        {
            var key = LockKey(target);
            if (await objects.GetAsync(key, cancellationToken).ConfigureAwait(false) is not { } existing) continue;
            if (StateDocuments.ReadLock(existing.Body) is not { } current)
            {
                holders[target] = $"a lock object that cannot be read: {Location}{key}";
                continue;
            }
            if (current.Holder.RunId == exceptRun) continue;
            if (current.Expires > time.GetUtcNow())
            {
                holders[target] = $"{current.Holder}, lock renewed until {Format(current.Expires)}";
            }
            else if (await objects.GetAsync(ActiveKey(current.Holder.RunId), cancellationToken).ConfigureAwait(false) is not null)
            {
                holders[target] = $"{current.Holder}, which stopped renewing its lock at {Format(current.Expires)} and has not been recovered";
            }
        }
        return holders;
    }

    public async Task<IReadOnlyList<SharedRunInfo>> UnfinishedRunsAsync(CancellationToken cancellationToken)
    {
        var runs = new List<SharedRunInfo>();
        foreach (var key in await objects.ListAsync("active/", cancellationToken).ConfigureAwait(false))
        {
            var runId = key["active/".Length..];
            if (!runId.EndsWith(".json", StringComparison.Ordinal) || !StateDocuments.IsRunId(runId = runId[..^".json".Length])) continue;
            if (await objects.GetAsync(key, cancellationToken).ConfigureAwait(false) is not { } marker) continue;
            var active = StateDocuments.ReadActive(marker.Body);
            var heartbeat = await objects.GetAsync(HeartbeatKey(runId), cancellationToken).ConfigureAwait(false);
            var who = active?.Run.RunId == runId ? active.Run : new RunIdentity(runId, "", "?", "?", 0);
            runs.Add(new SharedRunInfo(runId, who.Experiment, who.Host, who.User, who.Pid, heartbeat?.LastModified ?? marker.LastModified));
        }
        return runs;
    }

    public async Task<IReadOnlyList<byte[]>> ReadJournalAsync(string runId, CancellationToken cancellationToken)
    {
        if (!StateDocuments.IsRunId(runId)) throw new SharedStateException($"'{runId}' is not a run id");
        var lines = new List<byte[]>();
        long total = 0;
        foreach (var key in await objects.ListAsync(S3JournalMirror.Prefix(runId), cancellationToken).ConfigureAwait(false))
        {
            if (S3JournalMirror.IndexOf(key) < 0) continue;
            if (await objects.GetAsync(key, cancellationToken).ConfigureAwait(false) is not { } line) continue;
            total += line.Body.Length;
            if (total > MaxJournalBytes) throw new SharedStateException($"{Location}{S3JournalMirror.Prefix(runId)} holds more than {MaxJournalBytes / (1024 * 1024)} MiB of journal; refusing to read further");
            var text = line.Body.AsSpan();
            // One line per object: anything after a first newline is not a journal line this version wrote.
            var end = text.IndexOf((byte)'\n');
            lines.Add((end >= 0 ? text[..end] : text).ToArray());
        }
        return lines;
    }

    public async Task<ISharedRecovery?> ClaimRecoveryAsync(string runId, RunIdentity by, Action<string> note, CancellationToken cancellationToken)
    {
        if (!StateDocuments.IsRunId(runId)) throw new SharedStateException($"'{runId}' is not a run id");
        var body = StateDocuments.Write(new StateDocuments.Claim(by, time.GetUtcNow() + ClaimLease));
        var key = ClaimKey(runId);
        var etag = await objects.CreateAsync(key, body, cancellationToken).ConfigureAwait(false);
        if (etag is null)
        {
            var existing = await objects.GetAsync(key, cancellationToken).ConfigureAwait(false);
            var claim = existing is null ? null : StateDocuments.ReadClaim(existing.Body);
            if (existing is not null && claim is not null && claim.Expires > time.GetUtcNow())
            {
                note($"being recovered by {claim.By} (claim until {Format(claim.Expires)})");
                return null;
            }
            etag = existing is null
                ? await objects.CreateAsync(key, body, cancellationToken).ConfigureAwait(false)
                : await objects.ReplaceAsync(key, body, existing.ETag, cancellationToken).ConfigureAwait(false);
            if (etag is null)
            {
                note("another recover claimed it at the same moment");
                return null;
            }
        }
        var events = await objects.ListAsync(S3JournalMirror.Prefix(runId), cancellationToken).ConfigureAwait(false);
        var next = events.Select(S3JournalMirror.IndexOf).DefaultIfEmpty(0).Max() + 1;
        return new S3SharedRecovery(objects, runId, key, etag, new S3JournalMirror(objects, runId, next, WriteTimeout));
    }

    internal static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    internal static async Task<bool> TryAsync(Func<Task<bool>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (e is SharedStateException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Removes a finished (or recovered) run: its locks that are still its own, then its entry in <c>active/</c>.</summary>
    internal static async Task RemoveRunAsync(S3StateObjects objects, string runId, IEnumerable<string> lockKeys, CancellationToken cancellationToken)
    {
        foreach (var key in lockKeys)
        {
            if (await objects.GetAsync(key, cancellationToken).ConfigureAwait(false) is { } existing
                && StateDocuments.ReadLock(existing.Body)?.Holder.RunId == runId)
            {
                await objects.DeleteAsync(key, existing.ETag, cancellationToken).ConfigureAwait(false);
            }
        }
        if (await objects.GetAsync(ActiveKey(runId), cancellationToken).ConfigureAwait(false) is { } marker)
        {
            await objects.DeleteAsync(ActiveKey(runId), marker.ETag, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A duration for messages.</summary>
    internal static string Format(TimeSpan span) => Duration.Format(span);
}

/// <summary>A recover's claim on a dead run (see <see cref="S3SharedState.ClaimRecoveryAsync"/>).</summary>
internal sealed class S3SharedRecovery(S3StateObjects objects, string runId, string claimKey, string claimTag, S3JournalMirror mirror) : ISharedRecovery
{
    private bool _finished;

    public IJournalMirror Journal => mirror;

    public async Task FinishAsync(bool complete, CancellationToken cancellationToken)
    {
        _finished = true;
        mirror.Flush();
        if (complete && mirror.Behind == 0)
        {
            var marker = await objects.GetAsync(S3SharedState.ActiveKey(runId), cancellationToken).ConfigureAwait(false);
            var locks = marker is null ? [] : StateDocuments.ReadActive(marker.Body)?.Locks ?? [];
            await S3SharedState.RemoveRunAsync(objects, runId, locks, cancellationToken).ConfigureAwait(false);
        }
        await S3SharedState.TryAsync(() => objects.DeleteAsync(claimKey, claimTag, CancellationToken.None)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_finished) await S3SharedState.TryAsync(() => objects.DeleteAsync(claimKey, claimTag, CancellationToken.None)).ConfigureAwait(false);
    }
}
