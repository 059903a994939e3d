using Simian.Core.Safety;
using Simian.Core.Tests.Fakes;

namespace Simian.Core.Tests.Safety;

public sealed class TargetLocksTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly TargetLocks _ours;
    private readonly TargetLocks _theirs;

    public TargetLocksTests()
    {
        _ours = new TargetLocks(_dir.File("locks"));
        _theirs = new TargetLocks(_dir.File("locks"));
    }

    public void Dispose()
    {
        _ours.ReleaseAll();
        _theirs.ReleaseAll();
        _dir.Dispose();
    }

    [Fact]
    public async Task Target_held_by_another_run_refuses_the_plan()
    {
        Assert.Empty(_theirs.TryAcquireAll([("test:thing", "t2")]));
        var world = new ThingWorld(ThingWorld.Many(3));

        var plan = await ThingProfiles.PlanAsync(world, ThingProfiles.Load(world, ThingProfiles.Text()), _ours);

        var verdict = ThingProfiles.Verdict(plan, "targetLocks");
        Assert.False(verdict.Passed);
        Assert.False(plan.Allowed);
        Assert.Equal($"not running: held by another run in progress: test:thing t2 (pid {Environment.ProcessId}, uid {Simian.Core.Platform.Posix.EffectiveUid})", verdict.Detail);
    }

    [Fact]
    public async Task Released_target_no_longer_refuses()
    {
        _theirs.TryAcquireAll([("test:thing", "t2")]);
        _theirs.ReleaseAll();
        var world = new ThingWorld(ThingWorld.Many(3));

        var plan = await ThingProfiles.PlanAsync(world, ThingProfiles.Load(world, ThingProfiles.Text()), _ours);

        Assert.True(ThingProfiles.Verdict(plan, "targetLocks").Passed);
    }

    [Fact]
    public void Own_locks_are_not_held_by_another()
    {
        Assert.Empty(_ours.TryAcquireAll([("test:thing", "t1")]));

        Assert.False(_ours.IsHeldByOther("test:thing", "t1"));
        Assert.True(_theirs.IsHeldByOther("test:thing", "t1"));
        Assert.False(_theirs.IsHeldByOther("test:thing", "t9"));
    }

    [Fact]
    public void Same_id_under_another_type_is_a_different_lock()
    {
        _ours.TryAcquireAll([("test:thing", "t1")]);

        Assert.False(_theirs.IsHeldByOther("other:type", "t1"));
    }

    [Fact]
    public void Acquiring_takes_every_lock_or_none()
    {
        _theirs.TryAcquireAll([("test:thing", "b")]);

        var busy = _ours.TryAcquireAll([("test:thing", "a"), ("test:thing", "b"), ("test:thing", "c")]);

        Assert.Equal([$"test:thing b (pid {Environment.ProcessId}, uid {Simian.Core.Platform.Posix.EffectiveUid})"], busy);
        Assert.False(_theirs.IsHeldByOther("test:thing", "a"));
        Assert.False(_theirs.IsHeldByOther("test:thing", "c"));
        Assert.Empty(_theirs.TryAcquireAll([("test:thing", "a"), ("test:thing", "c")]));
    }

    [Fact]
    public void Locks_hold_whatever_the_state_folder_and_leave_no_file_behind()
    {
        // Two runs with different state folders, HOME or XDG settings share nothing but the machine: the lock
        // lives in the kernel's abstract socket namespace, not in either folder.
        _ours.TryAcquireAll([("test:thing", "t1")]);

        Assert.True(_theirs.IsHeldByOther("test:thing", "t1"));
        Assert.Empty(Directory.GetFileSystemEntries(_dir.Path));
    }

    [Fact]
    public async Task A_lock_is_released_when_its_process_is_killed()
    {
        // A child process takes the lock and is killed with SIGKILL: the kernel releases it, no stale file remains.
        var name = "test:thing";
        using var child = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("python3")
        {
            ArgumentList = { "-c", "import socket,sys,time\ns=socket.socket(socket.AF_UNIX)\ns.bind('\\0'+sys.argv[1])\ns.listen(1)\nprint('held',flush=True)\ntime.sleep(60)", LockName(name, "t7") },
            RedirectStandardOutput = true,
        })!;
        Assert.Equal("held", await child.StandardOutput.ReadLineAsync());
        Assert.True(_ours.IsHeldByOther(name, "t7"));
        Assert.Contains($"pid {child.Id}", Assert.Single(_ours.TryAcquireAll([(name, "t7")])));

        child.Kill();
        await child.WaitForExitAsync();

        Assert.False(_ours.IsHeldByOther(name, "t7"));
        Assert.Empty(_ours.TryAcquireAll([(name, "t7")]));
    }

    /// <summary>The abstract socket name TargetLocks uses for a resource, computed independently here.</summary>
    private string LockName(string type, string id)
    {
        var key = $"{_dir.File("locks")}\u0000{type}\u0000\u0000{id}";
        return "simian/target-lock/" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)))[..40];
    }
}
