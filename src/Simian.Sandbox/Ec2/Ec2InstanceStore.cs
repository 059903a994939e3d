using System.Globalization;

namespace Simian.Sandbox.Ec2;

/// <summary>
/// The instances, in a fixed order with an index by id, so pages are stable and cheap: a page resumes at a
/// position instead of re-sorting anything. One lock guards all state; rendering happens outside it.
/// </summary>
internal sealed class Ec2InstanceStore
{
    private readonly object _gate = new();
    private readonly List<Ec2Instance> _ordered = [];
    private readonly Dictionary<string, int> _positions = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _transitionDelay;

    public Ec2InstanceStore(Fleet fleet, TimeProvider time, TimeSpan transitionDelay)
    {
        _time = time;
        _transitionDelay = transitionDelay;
        foreach (var source in fleet.ExpandInstances())
        {
            if (_positions.ContainsKey(source.Id))
            {
                throw new FleetException($"instance id '{source.Id}' is listed twice");
            }

            var position = _ordered.Count;
            var zone = source.Zone ?? fleet.Region + "a";
            InstanceStates.TryParse(source.State, out var state);
            _positions[source.Id] = position;
            _ordered.Add(new Ec2Instance
            {
                Id = source.Id,
                ReservationId = "r-" + (source.Id.Length > 2 ? source.Id[2..] : source.Id),
                ImageId = source.ImageId,
                Type = source.Type,
                Zone = zone,
                VpcId = source.VpcId,
                SubnetId = source.SubnetId ?? "subnet-" + zone,
                PrivateIpAddress = source.PrivateIpAddress ?? string.Create(
                    CultureInfo.InvariantCulture, $"10.0.{(position >> 8) & 255}.{position & 255}"),
                Spot = source.Spot,
                Tags = source.Tags.ToArray(),
                LaunchTime = source.LaunchTime ?? fleet.LaunchTime,
                State = state,
            });
        }
    }

    public int Count => _ordered.Count;

    public IReadOnlyList<InstanceView> Snapshot()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            return _ordered.Select(i =>
            {
                i.Settle(now);
                return i.View();
            }).ToList();
        }
    }

    public InstanceView? Find(string id)
    {
        lock (_gate)
        {
            if (!_positions.TryGetValue(id, out var position))
            {
                return null;
            }

            var instance = _ordered[position];
            instance.Settle(_time.GetUtcNow());
            return instance.View();
        }
    }

    /// <summary>Ids that are not in the fleet, in the order asked.</summary>
    public IReadOnlyList<string> Missing(IEnumerable<string> ids)
    {
        lock (_gate)
        {
            return ids.Where(id => !_positions.ContainsKey(id)).Distinct().ToList();
        }
    }

    /// <summary>
    /// Collects up to <paramref name="max"/> matching instances starting at <paramref name="start"/> (a position in
    /// the fixed order), restricted to <paramref name="ids"/> when given. The next page starts at the next match.
    /// </summary>
    public DescribePage Describe(IReadOnlyList<string>? ids, Func<Ec2Instance, bool> filter, int max, int start)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var positions = ids is { Count: > 0 }
                ? ids.Select(id => _positions[id]).Where(p => p >= start).Distinct().Order().ToList()
                : null;
            var page = new List<InstanceView>(Math.Min(max, 1024));
            var count = positions?.Count ?? _ordered.Count;
            for (var i = positions is null ? start : 0; i < count; i++)
            {
                var position = positions?[i] ?? i;
                var instance = _ordered[position];
                instance.Settle(now);
                if (!filter(instance))
                {
                    continue;
                }

                if (page.Count == max)
                {
                    return new DescribePage(page, position);
                }

                page.Add(instance.View());
            }

            return new DescribePage(page, null);
        }
    }

    /// <summary>Checks every instance first and changes them only when all may change, as EC2 does.</summary>
    public IReadOnlyList<StateChange> Apply(IReadOnlyList<string> ids, InstanceOperation operation, bool dryRun)
    {
        lock (_gate)
        {
            var missing = ids.Where(id => !_positions.ContainsKey(id)).Distinct().ToList();
            if (missing.Count > 0)
            {
                throw Ec2Errors.NotFound(missing);
            }

            var now = _time.GetUtcNow();
            var instances = ids.Distinct().Select(id => _ordered[_positions[id]]).ToList();
            foreach (var instance in instances)
            {
                instance.Settle(now);
                Check(instance, operation);
            }

            if (dryRun)
            {
                throw Ec2Errors.DryRun();
            }

            return instances.Select(instance => Change(instance, operation, now)).ToList();
        }
    }

    private static void Check(Ec2Instance instance, InstanceOperation operation)
    {
        var state = instance.State;
        switch (operation)
        {
            case InstanceOperation.Stop when instance.Spot:
                throw Ec2Errors.SpotStop(instance.Id);
            case InstanceOperation.Stop when state is InstanceStateName.Pending or InstanceStateName.ShuttingDown or InstanceStateName.Terminated:
                throw Ec2Errors.IncorrectState(instance.Id, "stopped");
            case InstanceOperation.Start when state is InstanceStateName.Stopping or InstanceStateName.ShuttingDown or InstanceStateName.Terminated:
                throw Ec2Errors.IncorrectState(instance.Id, "started");
            case InstanceOperation.Reboot when state is not (InstanceStateName.Running or InstanceStateName.Pending):
                throw Ec2Errors.IncorrectState(instance.Id, "rebooted");
        }
    }

    private StateChange Change(Ec2Instance instance, InstanceOperation operation, DateTimeOffset now)
    {
        var previous = instance.State;
        switch (operation)
        {
            case InstanceOperation.Stop when previous == InstanceStateName.Running:
                Begin(instance, InstanceStateName.Stopping, InstanceStateName.Stopped, now);
                break;
            case InstanceOperation.Start when previous == InstanceStateName.Stopped:
                Begin(instance, InstanceStateName.Pending, InstanceStateName.Running, now);
                instance.LaunchTime = now;
                break;
            case InstanceOperation.Terminate when previous != InstanceStateName.Terminated && previous != InstanceStateName.ShuttingDown:
                Begin(instance, InstanceStateName.ShuttingDown, InstanceStateName.Terminated, now);
                break;
            case InstanceOperation.Reboot:
                instance.RebootCount++;
                break;
        }

        return new StateChange(instance.Id, previous, instance.State);
    }

    private void Begin(Ec2Instance instance, InstanceStateName transitional, InstanceStateName settled, DateTimeOffset now)
    {
        instance.State = transitional;
        instance.SettlesInto = settled;
        instance.SettlesAt = now + _transitionDelay;
    }
}
