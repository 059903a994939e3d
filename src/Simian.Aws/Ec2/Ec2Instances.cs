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

    public static Resource ToResource(Instance instance, string region, string account)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in instance.Tags ?? [])
        {
            if (tag.Key is not null) tags[tag.Key] = tag.Value ?? "";
        }
        var type = instance.InstanceType?.Value ?? "unknown";
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["state"] = State(instance),
            ["instanceType"] = type,
            ["lifecycle"] = Lifecycle(instance),
        };
        if (tags.TryGetValue(Ec2Selector.AsgTag, out var asg))
        {
            attributes["asg"] = asg;
            // The name pick.per uses (Picker.GroupKey falls back to attributes).
            attributes["autoScalingGroup"] = asg;
        }
        return new Resource
        {
            Id = instance.InstanceId,
            Label = tags.TryGetValue("Name", out var name) && name.Length > 0 ? name : type,
            Tags = tags,
            Region = region,
            Account = account,
            Zone = instance.Placement?.AvailabilityZone,
            Attributes = attributes,
        };
    }
}
