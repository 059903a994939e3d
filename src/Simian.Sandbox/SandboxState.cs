using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Simian.Sandbox.Ec2;
using Simian.Sandbox.Faults;
using Simian.Sandbox.S3;

namespace Simian.Sandbox;

/// <summary>The live state of a running sandbox, read safely while requests are being served.</summary>
public sealed class SandboxState
{
    private readonly Ec2InstanceStore _instances;
    private readonly S3BucketStore _buckets;
    private readonly FaultInjector _faults;
    private readonly AutoScaling.AutoScalingModel _groups;
    private readonly ConcurrentDictionary<string, long> _calls = new(StringComparer.Ordinal);

    private readonly Ec2.Network.NetworkStore _network;

    internal SandboxState(Ec2InstanceStore instances, S3BucketStore buckets, FaultInjector faults, AutoScaling.AutoScalingModel groups,
        Ec2.Network.NetworkStore network)
    {
        _network = network;
        _groups = groups;
        _instances = instances;
        _buckets = buckets;
        _faults = faults;
    }

    public int InstanceCount => _instances.Count;

    /// <summary>Each subnet's network ACL now, by subnet id.</summary>
    public IReadOnlyDictionary<string, string> SubnetAcls() => _network.Subnets.ToDictionary(s => s.Id, s => s.NetworkAclId, StringComparer.Ordinal);

    /// <summary>The ids of the network ACLs that exist now, default ones included.</summary>
    public IReadOnlyList<string> NetworkAcls() => [.. _network.Acls.Select(a => a.Acl.Id)];

    /// <summary>Whether the subnet's network ACL lets all traffic in and out (false while a zone is blackholed).</summary>
    public bool SubnetReachable(string subnetId) => _network.Reachable(subnetId);

    public IReadOnlyList<SandboxInstance> Instances() => _instances.Snapshot().Select(ToPublic).ToList();

    public SandboxInstance? Instance(string id) => _instances.Find(id) is { } view ? ToPublic(view) : null;

    /// <summary>The instance's state name (e.g. "stopped"), or null when there is no such instance.</summary>
    public string? InstanceState(string id) => Instance(id)?.State;

    /// <summary>Every Auto Scaling group as it is now (health checks and replacements brought up to date first).</summary>
    public IReadOnlyList<SandboxGroup> AutoScalingGroups()
    {
        lock (_instances.Gate)
        {
            _instances.Tick(_instances.Time.GetUtcNow());
            return _groups.Groups.Select(g => new SandboxGroup(
                g.Name,
                g.MinSize,
                g.MaxSize,
                g.DesiredCapacity,
                g.Suspended.Select(s => s.Process).ToList(),
                g.Members.Select(m => new SandboxGroupMember(m.Instance.Id, AutoScaling.Member.Name(m.Lifecycle), m.Healthy ? "Healthy" : "Unhealthy")).ToList(),
                g.Activities.Select(a => a.Description).ToList())
            {
                Subnets = [.. g.SubnetIds],
            }).ToList();
        }
    }

    public SandboxGroup? AutoScalingGroup(string name) => AutoScalingGroups().FirstOrDefault(g => g.Name == name);

    /// <summary>Makes starts of <paramref name="instanceType"/> fall back to stopped for lack of capacity (or stop doing so).</summary>
    public void SetCapacity(string instanceType, bool available) => _instances.SetCapacity(instanceType, available);

    public IReadOnlyList<string> BucketNames()
    {
        lock (_buckets.Gate)
        {
            return _buckets.All.Select(b => b.Name).ToList();
        }
    }

    /// <summary>The stored policy exactly as it was put, or null when the bucket has none (or does not exist).</summary>
    public string? BucketPolicy(string bucket)
    {
        lock (_buckets.Gate)
        {
            return _buckets.Find(bucket)?.Policy?.Text;
        }
    }

    public IReadOnlyList<string> ObjectKeys(string bucket)
    {
        lock (_buckets.Gate)
        {
            return _buckets.Find(bucket)?.Objects.Keys.ToList() ?? [];
        }
    }

    public byte[]? ObjectContent(string bucket, string key)
    {
        lock (_buckets.Gate)
        {
            return _buckets.Find(bucket)?.Objects.GetValueOrDefault(key)?.Data;
        }
    }

    public SandboxFaults Faults => _faults.Current;

    /// <summary>Successful calls so far, keyed "service:Operation" (e.g. "ec2:DescribeInstances").</summary>
    public IReadOnlyDictionary<string, long> CallCounts() => new Dictionary<string, long>(_calls, StringComparer.Ordinal);

    internal void CountCall(string service, string action) =>
        _calls.AddOrUpdate(service + ":" + action, 1, (_, n) => n + 1);

    /// <summary>Writes instances, buckets (with their policies as strings), faults and call counts as JSON.</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("instances");
        foreach (var instance in _instances.Snapshot())
        {
            writer.WriteStartObject();
            writer.WriteString("id", instance.Id);
            writer.WriteString("state", InstanceStates.Name(instance.State));
            writer.WriteString("type", instance.Type);
            writer.WriteString("zone", instance.Zone);
            writer.WriteBoolean("spot", instance.Spot);
            writer.WriteNumber("rebootCount", instance.RebootCount);
            writer.WriteStartObject("tags");
            foreach (var tag in instance.Tags)
            {
                writer.WriteString(tag.Key, tag.Value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("buckets");
        lock (_buckets.Gate)
        {
            foreach (var bucket in _buckets.All)
            {
                writer.WriteStartObject();
                writer.WriteString("name", bucket.Name);
                if (bucket.Policy is { } policy)
                {
                    writer.WriteString("policy", Encoding.UTF8.GetString(policy.Raw));
                }
                else
                {
                    writer.WriteNull("policy");
                }

                writer.WriteStartObject("tags");
                foreach (var tag in bucket.Tags ?? [])
                {
                    writer.WriteString(tag.Key, tag.Value);
                }

                writer.WriteEndObject();
                writer.WriteStartArray("objects");
                foreach (var key in bucket.Objects.Keys)
                {
                    writer.WriteStringValue(key);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }
        }

        writer.WriteEndArray();
        writer.WriteStartArray("autoScalingGroups");
        foreach (var group in AutoScalingGroups())
        {
            writer.WriteStartObject();
            writer.WriteString("name", group.Name);
            writer.WriteNumber("minSize", group.MinSize);
            writer.WriteNumber("maxSize", group.MaxSize);
            writer.WriteNumber("desiredCapacity", group.DesiredCapacity);
            writer.WriteStartArray("suspendedProcesses");
            foreach (var process in group.SuspendedProcesses) writer.WriteStringValue(process);
            writer.WriteEndArray();
            writer.WriteStartArray("instances");
            foreach (var member in group.Instances)
            {
                writer.WriteStartObject();
                writer.WriteString("id", member.Id);
                writer.WriteString("lifecycleState", member.LifecycleState);
                writer.WriteString("healthStatus", member.HealthStatus);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        var faults = _faults.Current;
        writer.WriteStartObject("faults");
        writer.WriteNumber("throttleRate", faults.ThrottleRate);
        writer.WriteNumber("errorRate", faults.ErrorRate);
        writer.WriteEndObject();
        writer.WriteStartObject("calls");
        foreach (var (call, count) in CallCounts().OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            writer.WriteNumber(call, count);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static SandboxInstance ToPublic(InstanceView view) => new(
        view.Id,
        InstanceStates.Name(view.State),
        view.Type,
        view.Zone,
        view.Spot,
        view.Tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal),
        view.LaunchTime,
        view.RebootCount)
    {
        SubnetId = view.SubnetId,
    };
}
