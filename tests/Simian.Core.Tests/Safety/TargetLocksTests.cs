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
        Assert.Empty(_theirs.TryAcquireAll([("test:thing", "t2")], "their-run"));
        var world = new ThingWorld(ThingWorld.Many(3));

        var plan = await ThingProfiles.PlanAsync(world, ThingProfiles.Load(world, ThingProfiles.Text()), _ours);

        var verdict = ThingProfiles.Verdict(plan, "targetLocks");
        Assert.False(verdict.Passed);
        Assert.False(plan.Allowed);
        Assert.Equal("not running: held by another run in progress: test:thing t2", verdict.Detail);
    }

    [Fact]
    public async Task Released_target_no_longer_refuses()
    {
        _theirs.TryAcquireAll([("test:thing", "t2")], "their-run");
        _theirs.ReleaseAll();
        var world = new ThingWorld(ThingWorld.Many(3));

        var plan = await ThingProfiles.PlanAsync(world, ThingProfiles.Load(world, ThingProfiles.Text()), _ours);

        Assert.True(ThingProfiles.Verdict(plan, "targetLocks").Passed);
    }

    [Fact]
    public void Own_locks_are_not_held_by_another()
    {
        Assert.Empty(_ours.TryAcquireAll([("test:thing", "t1")], "our-run"));

        Assert.False(_ours.IsHeldByOther("test:thing", "t1"));
        Assert.True(_theirs.IsHeldByOther("test:thing", "t1"));
        Assert.False(_theirs.IsHeldByOther("test:thing", "t9"));
    }

    [Fact]
    public void Same_id_under_another_type_is_a_different_lock()
    {
        _ours.TryAcquireAll([("test:thing", "t1")], "our-run");

        Assert.False(_theirs.IsHeldByOther("other:type", "t1"));
    }

    [Fact]
    public void Acquiring_takes_every_lock_or_none()
    {
        _theirs.TryAcquireAll([("test:thing", "b")], "their-run");

        var busy = _ours.TryAcquireAll([("test:thing", "a"), ("test:thing", "b"), ("test:thing", "c")], "our-run");

        Assert.Equal(["test:thing b"], busy);
        Assert.False(_theirs.IsHeldByOther("test:thing", "a"));
        Assert.False(_theirs.IsHeldByOther("test:thing", "c"));
        Assert.Empty(_theirs.TryAcquireAll([("test:thing", "a"), ("test:thing", "c")], "their-run"));
    }

    [Fact]
    public void Lock_files_are_owner_only()
    {
        _ours.TryAcquireAll([("test:thing", "t1")], "our-run");

        var file = Assert.Single(Directory.GetFiles(_ours.Directory, "*.lock"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }
}
