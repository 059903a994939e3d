using Amazon.EC2.Model;
using Simian.Aws.Clients;
using Simian.Aws.Resilience;
using Simian.Core.Providers;

namespace Simian.Aws.Ec2;

/// <summary>Reading instances: one by id (for faults), and turning an SDK instance into a <see cref="Resource"/>.</summary>
internal static class Ec2Instances
{
    /// <summary>The instance, or null when EC2 no longer knows it (terminated long ago, or never existed).</summary>
    public static async Task<Instance?> DescribeAsync(AwsSession session, string id, CancellationToken cancellationToken, bool undo = false)
    {
        try
        {
            var answer = await session.CallAsync(
                $"cannot read instance {id}",
                ct => session.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [id] }, ct),
                cancellationToken,
                undo).ConfigureAwait(false);
            return (answer.Reservations ?? []).SelectMany(r => r.Instances ?? []).FirstOrDefault(i => i.InstanceId == id);
        }
        catch (Simian.Core.ProviderException e) when (AwsErrors.Code(e) == "InvalidInstanceID.NotFound")
        {
            return null;
        }
    }

    public static string State(Instance instance) => instance.State?.Name?.Value ?? "unknown";

    /// <summary>"spot" for Spot Instances, otherwise EC2's lifecycle value, or "normal" when it reports none.</summary>
    public static string Lifecycle(Instance instance) => instance.InstanceLifecycle?.Value is { Length: > 0 } l ? l : "normal";

    /// <param name="pool">Shares repeated strings (tag keys and values, zones) across one listing; optional.</param>
    public static Resource ToResource(Instance instance, string region, string account, StringPool? pool = null, string scope = "")
    {
        var tags = new List<KeyValuePair<string, string>>(instance.Tags?.Count ?? 0);
        string? name = null, asg = null;
        foreach (var tag in instance.Tags ?? [])
        {
            if (tag.Key is null) continue;
            var value = tag.Value ?? "";
            if (tag.Key == "Name") name = value; // unique per instance as a rule: not pooled
            else value = pool?.Share(value) ?? value;
            if (tag.Key == Ec2Selector.AsgTag) asg = value;
            tags.Add(new(pool?.Share(tag.Key) ?? tag.Key, value));
        }
        var type = instance.InstanceType?.Value ?? "unknown";
        var attributes = new List<KeyValuePair<string, string>>(5)
        {
            new("state", State(instance)),
            new("instanceType", type),
            new("lifecycle", Lifecycle(instance)),
        };
        if (asg is not null)
        {
            attributes.Add(new("asg", asg));
            // The name pick.per uses (Picker.GroupKey falls back to attributes).
            attributes.Add(new("autoScalingGroup", asg));
        }
        return new Resource
        {
            Id = instance.InstanceId,
            Label = name is { Length: > 0 } ? name : type,
            Tags = CompactMap.From(tags),
            Region = region,
            Account = account,
            Zone = pool?.Share(instance.Placement?.AvailabilityZone) ?? instance.Placement?.AvailabilityZone,
            Attributes = CompactMap.From(attributes),
            Scope = scope,
        };
    }
}
