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
    /// <summary>Instances in a transitional state, settled by <see cref="Tick"/> before every answer.</summary>
    private readonly HashSet<Ec2Instance> _transitioning = [];
    private AutoScaling.AutoScalingModel? _groups;
    private readonly HashSet<string> _noCapacity = new(StringComparer.Ordinal);
    private long _launched;
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
                ReservationId = source.ReservationId ?? "r-" + (source.Id.Length > 2 ? source.Id[2..] : source.Id),
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

    /// <summary>The lock every instance and Auto Scaling group is read and changed under.</summary>
    public object Gate => _gate;

    public TimeProvider Time => _time;

    /// <summary>Auto Scaling acts on these instances from now on (health checks, replacement).</summary>
    public void Attach(AutoScaling.AutoScalingModel groups)
    {
        lock (_gate)
        {
            _groups = groups;
        }
    }

    /// <summary>
    /// Brings the world up to <paramref name="now"/>: transitions that are due settle, then Auto Scaling runs its
    /// health checks and replacements. Called under the lock before every answer, so nothing is ever stale.
    /// </summary>
    public void Tick(DateTimeOffset now)
    {
        if (_transitioning.Count > 0)
        {
            _transitioning.RemoveWhere(i =>
            {
                i.Settle(now);
                if (i.SettlesInto is not null) return false;
                if (i.Group is { } group) _groups?.Touch(group);
                return true;
            });
        }

        _groups?.Reconcile(now);
    }

    /// <summary>
    /// Makes EC2 short of (or again able to supply) capacity for an instance type: a start then goes pending and
    /// falls back to stopped with StateReason Server.InsufficientInstanceCapacity.
    /// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_StateReason.html
    /// </summary>
    public void SetCapacity(string instanceType, bool available)
    {
        lock (_gate)
        {
            if (available) _noCapacity.Remove(instanceType);
            else _noCapacity.Add(instanceType);
        }
    }

    /// <summary>Every instance, in the fixed order (under the lock).</summary>
    public IReadOnlyList<Ec2Instance> All => _ordered;

    /// <summary>The live instance with this id (under the lock), or null.</summary>
    public Ec2Instance? Get(string id) => _positions.TryGetValue(id, out var position) ? _ordered[position] : null;

    /// <summary>Launches a new instance like <paramref name="template"/> (Auto Scaling's replacement): pending, then running.</summary>
    public Ec2Instance Launch(Ec2Instance template, string zone, DateTimeOffset now, string? subnet = null)
    {
        string id;
        do
        {
            id = string.Create(CultureInfo.InvariantCulture, $"i-0a5{++_launched:x14}");
        }
        while (_positions.ContainsKey(id));

        var position = _ordered.Count;
        var instance = new Ec2Instance
        {
            Id = id,
            ReservationId = "r-" + id[2..],
            ImageId = template.ImageId,
            Type = template.Type,
            Zone = zone,
            VpcId = template.VpcId,
            SubnetId = subnet ?? "subnet-" + zone,
            PrivateIpAddress = string.Create(CultureInfo.InvariantCulture, $"10.250.{(_launched >> 8) & 255}.{_launched & 255}"),
            Spot = false,
            Tags = template.Tags.ToArray(),
            LaunchTime = now,
            State = InstanceStateName.Pending,
        };
        _positions[id] = position;
        _ordered.Add(instance);
        Begin(instance, InstanceStateName.Pending, InstanceStateName.Running, now);
        return instance;
    }

    /// <summary>Terminates an instance on the service's behalf (Auto Scaling replacing an unhealthy one).</summary>
    public void Terminate(Ec2Instance instance, DateTimeOffset now)
    {
        if (instance.State is not (InstanceStateName.Terminated or InstanceStateName.ShuttingDown))
        {
            Begin(instance, InstanceStateName.ShuttingDown, InstanceStateName.Terminated, now);
        }
    }

    public int Count => _ordered.Count;

    public IReadOnlyList<InstanceView> Snapshot()
    {
        lock (_gate)
        {
            Tick(_time.GetUtcNow());
            return _ordered.Select(i => i.View()).ToList();
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

            Tick(_time.GetUtcNow());
            return _ordered[position].View();
        }
    }

    public bool Contains(string id)
    {
        lock (_gate)
        {
            return _positions.ContainsKey(id);
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
            Tick(_time.GetUtcNow());
            var positions = ids is { Count: > 0 }
                ? ids.Select(id => _positions[id]).Where(p => p >= start).Distinct().Order().ToList()
                : null;
            var page = new List<InstanceView>(Math.Min(max, 1024));
            var count = positions?.Count ?? _ordered.Count;
            for (var i = positions is null ? start : 0; i < count; i++)
            {
                var position = positions?[i] ?? i;
                var instance = _ordered[position];
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

            // A dry run checks permissions only (the caller's were checked before this): DryRunOperation means
            // the call is allowed, whatever state the instances are in.
            // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_StopInstances.html (DryRun)
            if (dryRun)
            {
                throw Ec2Errors.DryRun();
            }

            var now = _time.GetUtcNow();
            Tick(now);
            var instances = ids.Distinct().Select(id => _ordered[_positions[id]]).ToList();
            foreach (var instance in instances)
            {
                Check(instance, operation);
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
                instance.SettlesWithReason = UserShutdown;
                break;
            case InstanceOperation.Start when previous == InstanceStateName.Stopped && _noCapacity.Contains(instance.Type):
                Begin(instance, InstanceStateName.Pending, InstanceStateName.Stopped, now);
                instance.StateReason = null;
                instance.SettlesWithReason = ("Server.InsufficientInstanceCapacity",
                    "Server.InsufficientInstanceCapacity: There was insufficient capacity available to satisfy the launch request.");
                break;
            case InstanceOperation.Start when previous == InstanceStateName.Stopped:
                Begin(instance, InstanceStateName.Pending, InstanceStateName.Running, now);
                instance.StateReason = null;
                instance.LaunchTime = now;
                break;
            case InstanceOperation.Terminate when previous != InstanceStateName.Terminated && previous != InstanceStateName.ShuttingDown:
                Begin(instance, InstanceStateName.ShuttingDown, InstanceStateName.Terminated, now);
                instance.SettlesWithReason = UserShutdown;
                break;
            case InstanceOperation.Reboot:
                instance.RebootCount++;
                break;
        }

        return new StateChange(instance.Id, previous, instance.State);
    }

    private static readonly (string, string) UserShutdown = ("Client.UserInitiatedShutdown", "Client.UserInitiatedShutdown: User initiated shutdown");

    private void Begin(Ec2Instance instance, InstanceStateName transitional, InstanceStateName settled, DateTimeOffset now)
    {
        instance.State = transitional;
        instance.SettlesInto = settled;
        instance.SettlesAt = now + _transitionDelay;
        _transitioning.Add(instance);
        if (instance.Group is { } group) _groups?.Touch(group);
    }
}
