using Simian.Core.Providers;
using Simian.Core.Safety;

namespace Simian.Testing;

/// <summary>Target locks by (type, id) pairs, the way the Core and fuzz tests name their targets (compiled into each).</summary>
internal static class TargetLockTuples
{
    public static IReadOnlyList<string> TryAcquireAll(this TargetLocks locks, IEnumerable<(string Type, string Id)> targets) =>
        locks.TryAcquireAll(targets.Select(t => (t.Type, new Resource { Id = t.Id })));

    public static bool IsHeldByOther(this TargetLocks locks, string type, string id) => locks.HeldByOther(type, new Resource { Id = id }) is not null;
}
