using System.Globalization;
using Simian.Sandbox.Ec2;

namespace Simian.Sandbox.AutoScaling;

/// <summary>
/// Amazon EC2 Auto Scaling as far as a game day meets it: groups keep their desired capacity, EC2 health checks
/// mark an InService instance that is not running unhealthy once its grace period is over, and an unhealthy
/// instance is terminated and replaced by a new one (a new id) — unless the processes that do so are suspended.
/// https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-health-checks.html
/// https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-suspend-resume-processes.html
/// Everything here runs under the instance store's lock, driven by its <see cref="Ec2InstanceStore.Tick"/>.
/// </summary>
internal sealed class AutoScalingModel
{
    public const string GroupTag = "aws:autoscaling:groupName";

    /// <summary>The processes SuspendProcesses accepts (the API reference's list).</summary>
    public static readonly IReadOnlyList<string> Processes =
    [
        "Launch", "Terminate", "AddToLoadBalancer", "AlarmNotification", "AZRebalance", "HealthCheck", "InstanceRefresh",
        "ReplaceUnhealthy", "ScheduledActions",
    ];

    private readonly Ec2InstanceStore _store;
    private readonly SortedDictionary<string, AutoScalingGroup> _groups = new(StringComparer.Ordinal);
    private readonly HashSet<AutoScalingGroup> _attention = [];
    private long _activities;

    public AutoScalingModel(Ec2InstanceStore store, Fleet fleet)
    {
        _store = store;
        var declared = fleet.AutoScalingGroups.ToDictionary(g => g.Name, StringComparer.Ordinal);
        var members = new Dictionary<string, List<Ec2Instance>>(StringComparer.Ordinal);
        lock (store.Gate)
        {
            foreach (var instance in store.All)
            {
                if (instance.Tag(GroupTag) is { Length: > 0 } name)
                {
                    if (!members.TryGetValue(name, out var list)) members[name] = list = [];
                    list.Add(instance);
                }
            }

            foreach (var name in declared.Keys.Union(members.Keys, StringComparer.Ordinal))
            {
                var spec = declared.GetValueOrDefault(name);
                var instances = members.GetValueOrDefault(name) ?? [];
                var alive = instances.Count(i => i.State is not (InstanceStateName.Terminated or InstanceStateName.ShuttingDown));
                var desired = spec?.DesiredCapacity ?? alive;
                var zones = spec is { Zones.Count: > 0 } ? spec.Zones.ToList()
                    : instances.Select(i => i.Zone).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                if (zones.Count == 0) zones.Add(fleet.Region + "a");
                var group = new AutoScalingGroup
                {
                    Name = name,
                    Arn = string.Create(CultureInfo.InvariantCulture,
                        $"arn:aws:autoscaling:{fleet.Region}:{fleet.Account}:autoScalingGroup:{GroupUuid(_groups.Count)}:autoScalingGroupName/{name}"),
                    MinSize = spec?.MinSize ?? 0,
                    MaxSize = spec?.MaxSize ?? Math.Max(desired, alive),
                    DesiredCapacity = desired,
                    Zones = zones,
                    HealthCheckType = spec?.HealthCheckType ?? "EC2",
                    HealthCheckGracePeriod = spec?.HealthCheckGracePeriod ?? 0,
                    CreatedTime = fleet.LaunchTime,
                    Tags = spec?.Tags ?? new Dictionary<string, string>(StringComparer.Ordinal),
                    Template = instances.FirstOrDefault(),
                };
                foreach (var process in spec?.SuspendedProcesses ?? [])
                {
                    group.Suspended.Add((process, SuspensionReason(fleet.LaunchTime)));
                }

                foreach (var instance in instances.Where(i => i.State is not (InstanceStateName.Terminated or InstanceStateName.ShuttingDown)))
                {
                    instance.Group = group;
                    group.Members.Add(new Member(instance, instance.State == InstanceStateName.Pending ? LifecycleState.Pending : LifecycleState.InService));
                }

                _groups[name] = group;
                _attention.Add(group);
            }
        }
    }

    public IEnumerable<AutoScalingGroup> Groups => _groups.Values;

    public AutoScalingGroup? Find(string name) => _groups.GetValueOrDefault(name);

    /// <summary>Asks for the group to be looked at on the next tick (a member changed state, a setting changed).</summary>
    public void Touch(AutoScalingGroup group) => _attention.Add(group);

    public (AutoScalingGroup Group, Member Member)? FindMember(string instanceId)
    {
        if (_store.Get(instanceId) is { Group: { } group } instance)
        {
            var member = group.Members.Find(m => ReferenceEquals(m.Instance, instance));
            if (member is not null) return (group, member);
        }

        return null;
    }

    /// <summary>Health checks, replacement and capacity for every group that may need it.</summary>
    public void Reconcile(DateTimeOffset now)
    {
        if (_attention.Count == 0) return;
        var groups = _attention.ToList();
        _attention.Clear();
        foreach (var group in groups)
        {
            if (!Reconcile(group, now)) _attention.Add(group);
        }
    }

    /// <summary>Returns true when the group is settled (nothing will change until something else does).</summary>
    private bool Reconcile(AutoScalingGroup group, DateTimeOffset now)
    {
        var settled = true;
        foreach (var member in group.Members.ToList())
        {
            var instance = member.Instance;
            var state = instance.State;
            if (member.Lifecycle == LifecycleState.Terminating)
            {
                if (state == InstanceStateName.Terminated)
                {
                    group.Members.Remove(member);
                    instance.Group = null;
                }
                else
                {
                    settled = false;
                }

                continue;
            }

            if (member.Lifecycle == LifecycleState.Pending && state == InstanceStateName.Running)
            {
                member.Lifecycle = LifecycleState.InService;
            }

            if (member.Lifecycle == LifecycleState.Standby) continue;

            // An instance terminated or shut down by anyone is unhealthy at once; any other state but running is
            // unhealthy once the group's grace period after launch is over.
            if (member.Healthy && state is InstanceStateName.Terminated or InstanceStateName.ShuttingDown)
            {
                MarkUnhealthy(member, "an EC2 health check indicating it has been terminated or stopped");
            }
            else if (member.Healthy && member.Lifecycle == LifecycleState.InService && state != InstanceStateName.Running)
            {
                if (now < instance.LaunchTime.AddSeconds(group.HealthCheckGracePeriod))
                {
                    settled = false;
                }
                else if (!group.IsSuspended("HealthCheck"))
                {
                    MarkUnhealthy(member, "an EC2 health check indicating it has been terminated or stopped");
                }
            }

            if (!member.Healthy && member.Lifecycle is LifecycleState.InService or LifecycleState.Pending)
            {
                if (group.IsSuspended("ReplaceUnhealthy") || group.IsSuspended("Terminate"))
                {
                    continue;
                }

                member.Lifecycle = LifecycleState.Terminating;
                _store.Terminate(instance, now);
                Record(group, now, $"Terminating EC2 instance: {instance.Id}",
                    $"At {Stamp(now)} an instance was taken out of service in response to {member.UnhealthyCause}.");
                settled = false;
            }
            else if (state is InstanceStateName.Pending or InstanceStateName.Stopping or InstanceStateName.ShuttingDown)
            {
                settled = false;
            }
        }

        var capacity = group.Capacity;
        if (capacity < group.DesiredCapacity && !group.IsSuspended("Launch") && group.Template is { } template)
        {
            for (var n = capacity; n < group.DesiredCapacity; n++)
            {
                var zone = group.Zones
                    .OrderBy(z => group.Members.Count(m => m.Lifecycle is LifecycleState.Pending or LifecycleState.InService && m.Instance.Zone == z))
                    .ThenBy(z => z, StringComparer.Ordinal)
                    .First();
                var launched = _store.Launch(template, zone, now, SubnetIn(group, zone));
                launched.Group = group;
                group.Members.Add(new Member(launched, LifecycleState.Pending));
                Record(group, now, $"Launching a new EC2 instance: {launched.Id}",
                    $"At {Stamp(now)} an instance was started in response to a difference between desired and actual capacity, " +
                    $"increasing the capacity from {n.ToString(CultureInfo.InvariantCulture)} to {(n + 1).ToString(CultureInfo.InvariantCulture)}.");
            }

            settled = false;
        }

        return settled;
    }

    /// <summary>The group's subnet in the zone (set by UpdateAutoScalingGroup's VPCZoneIdentifier), or the zone's default one.</summary>
    public Func<AutoScalingGroup, string, string?> SubnetIn { get; set; } = (group, zone) => group.SubnetIds.FirstOrDefault(id => id == "subnet-" + zone);

    public void MarkUnhealthy(Member member, string cause)
    {
        member.Healthy = false;
        member.UnhealthyCause = cause;
        if (member.Instance.Group is { } group) Touch(group);
    }

    /// <summary>Records an activity that completed at once (the sandbox has no in-progress activities).</summary>
    public Activity Record(AutoScalingGroup group, DateTimeOffset now, string description, string cause)
    {
        var n = ++_activities;
        var activity = new Activity(
            string.Create(CultureInfo.InvariantCulture, $"{n:x8}-5a4d-4b00-8000-{n:x12}"),
            group.Name, description, cause, now, now, "Successful",
            $"{{\"Subnet ID\":\"subnet-{group.Zones[0]}\",\"Availability Zone\":\"{group.Zones[0]}\"}}");
        group.Activities.Insert(0, activity);
        return activity;
    }

    public static string SuspensionReason(DateTimeOffset at) => $"User suspended at {Stamp(at)}";

    public static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string GroupUuid(int n) => string.Create(CultureInfo.InvariantCulture, $"{n:x8}-a5a5-4c00-8000-{n:x12}");
}
