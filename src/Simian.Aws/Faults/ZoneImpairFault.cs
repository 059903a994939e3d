using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Amazon.EC2.Model;
using Simian.Aws.Clients;
using Simian.Core;
using Simian.Core.Diagnostics;
using Simian.Core.Providers;
using Simian.Core.Yaml;

namespace Simian.Aws.Faults;

/// <summary>
/// <c>zone-impair</c> on <c>aws:autoscaling:group</c>: the group can no longer launch into <c>params.zone</c>, as in a
/// zone outage. Its subnets in that zone are taken out of its <c>VPCZoneIdentifier</c>; the exact original value is
/// journaled first and put back by undo.
/// <para>
/// Taking a zone away from a group starts an AZRebalance on AWS: it launches in the remaining zones and then
/// TERMINATES the instances in the zone taken away
/// (https://docs.aws.amazon.com/autoscaling/ec2/userguide/auto-scaling-benefits.html#AutoScalingBehavior.Rebalancing).
/// That would make the fault irreversible, so it suspends <c>AZRebalance</c> first (only if it was not suspended
/// already) and resumes it after the subnets are restored. A group that would be left with no subnet is refused,
/// and so is one whose subnets changed since they were read.
/// </para>
/// </summary>
internal sealed class ZoneImpairFault(AwsSessions sessions) : IFault
{
    private const string Zone = "zone";
    private const string Rebalance = "AZRebalance";

    public string Name => "zone-impair";

    public IReadOnlyList<string> ParameterKeys { get; } = [Zone];

    public string Summary => "keep the Auto Scaling group from launching into a zone (param zone): its subnets there leave VPCZoneIdentifier; undo restores it";

    public bool Reversible => true;

    /// <summary>The step's params: the availability zone taken away.</summary>
    public sealed record Parameters(string Zone);

    public void ValidateParams(YMapping parameters, DiagnosticBag diagnostics) =>
        FaultParameters.Read(parameters, diagnostics, "zone-impair params", ParameterKeys, Read);

    private Parameters Params(YMapping parameters) => FaultParameters.Get(parameters, "zone-impair params", ParameterKeys, Read);

    private static Parameters Read(MapReader r)
    {
        var zone = r.String(Zone, required: true) ?? "";
        if (zone.Length > 0 && !IsZoneName(zone)) r.Diagnostics.Error(r.LocationOf(Zone), $"'{zone}' is not an availability zone name (like us-east-1a)");
        return new(zone);
    }

    public string Describe(YMapping parameters, TimeSpan? duration) =>
        $"take the group's subnets in {Params(parameters).Zone} out of its VPCZoneIdentifier (AZRebalance suspended meanwhile, so nothing is terminated); undo puts them back";

    public async Task<JsonObject> CaptureAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var session = sessions.Get(context.Settings.Values);
        var zone = Params(context.Parameters).Zone;
        var group = await GroupAsync(session, context.Resource.Id, cancellationToken, undo: false).ConfigureAwait(false);
        var subnets = group.VpcZoneIdentifier.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var zones = await ZonesAsync(session, subnets, cancellationToken).ConfigureAwait(false);
        var removed = subnets.Where(s => zones.GetValueOrDefault(s) == zone).ToList();
        if (removed.Count > 0 && removed.Count == subnets.Length)
        {
            throw new ProviderException($"Auto Scaling group {group.Name} has subnets only in {zone}; taking them away would leave it none, so it is not impaired");
        }
        return UndoRecords.Write(new Record
        {
            Group = group.Name,
            Zone = zone,
            Original = group.VpcZoneIdentifier,
            Impaired = string.Join(',', subnets.Where(s => !removed.Contains(s))),
            Removed = removed,
            SuspendsRebalance = removed.Count > 0 && !group.Suspended.Contains(Rebalance),
        }, ZoneImpairJson.Default.Record);
    }

    public async Task ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        var record = Record.From(undo, context.Resource.Id);
        // A group with no subnet in the zone is not impaired: the zone's loss does not reach it.
        if (record.Removed.Count == 0) return;
        var session = sessions.Get(context.Settings.Values);
        // First the rebalance: with it running, AWS would terminate the group's instances in the zone taken away.
        if (record.SuspendsRebalance)
        {
            await session.CallAsync($"cannot suspend AZRebalance on Auto Scaling group {record.Group} (autoscaling:SuspendProcesses)",
                async ct => { await session.AutoScaling.SuspendProcessesAsync(record.Group, [Rebalance], ct).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);
        }
        var current = await GroupAsync(session, record.Group, cancellationToken, undo: false).ConfigureAwait(false);
        if (current.VpcZoneIdentifier != record.Original)
        {
            throw new ProviderException($"the subnets of Auto Scaling group {record.Group} changed since they were read ({record.Original} → {current.VpcZoneIdentifier}); not changing them");
        }
        await session.CallAsync($"cannot change the subnets of Auto Scaling group {record.Group} (autoscaling:UpdateAutoScalingGroup)",
            async ct => { await session.AutoScaling.UpdateSubnetsAsync(record.Group, record.Impaired, ct).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<UndoOutcome> UndoAsync(UndoContext context, CancellationToken cancellationToken)
    {
        var record = Record.From(context.Undo, context.ResourceId);
        if (record.Removed.Count == 0) return UndoOutcome.NothingToUndo;
        var session = sessions.Get(context.Settings);
        var current = await GroupAsync(session, record.Group, cancellationToken, undo: true).ConfigureAwait(false);
        var restored = false;
        if (current.VpcZoneIdentifier == record.Impaired)
        {
            await session.CallAsync($"cannot restore the subnets of Auto Scaling group {record.Group} (autoscaling:UpdateAutoScalingGroup)",
                async ct => { await session.AutoScaling.UpdateSubnetsAsync(record.Group, record.Original, ct).ConfigureAwait(false); return true; }, cancellationToken, undo: true).ConfigureAwait(false);
            restored = true;
        }
        else if (current.VpcZoneIdentifier != record.Original)
        {
            context.Note?.Invoke($"the subnets of Auto Scaling group {record.Group} were changed by someone else since ({current.VpcZoneIdentifier}); left as they are");
        }
        // Resumed only after the subnets are back (and only if simian suspended it): rebalancing then evens the zones out.
        if (record.SuspendsRebalance && current.Suspended.Contains(Rebalance))
        {
            await session.CallAsync($"cannot resume AZRebalance on Auto Scaling group {record.Group} (autoscaling:ResumeProcesses)",
                async ct => { await session.AutoScaling.ResumeProcessesAsync(record.Group, [Rebalance], ct).ConfigureAwait(false); return true; }, cancellationToken, undo: true).ConfigureAwait(false);
            restored = true;
        }
        return restored ? UndoOutcome.Restored : UndoOutcome.NothingToUndo;
    }

    private static async Task<Simian.Aws.AutoScaling.AutoScalingGroupInfo> GroupAsync(AwsSession session, string name, CancellationToken cancellationToken, bool undo)
    {
        var groups = await session.CallAsync($"cannot read Auto Scaling group {name} (autoscaling:DescribeAutoScalingGroups)",
            ct => session.AutoScaling.DescribeGroupsAsync([name], ct), cancellationToken, undo).ConfigureAwait(false);
        return groups.FirstOrDefault(g => g.Name == name) ?? throw new ProviderException($"Auto Scaling group {name} does not exist");
    }

    /// <summary>Each subnet's zone, from EC2 (the group lists subnet ids only).</summary>
    private static async Task<Dictionary<string, string>> ZonesAsync(AwsSession session, IReadOnlyList<string> subnets, CancellationToken cancellationToken)
    {
        if (subnets.Count == 0) return [];
        var page = await session.CallAsync("cannot read the group's subnets (ec2:DescribeSubnets)",
            ct => session.Ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { SubnetIds = [.. subnets] }, ct), cancellationToken).ConfigureAwait(false);
        return (page.Subnets ?? []).ToDictionary(s => s.SubnetId, s => s.AvailabilityZone, StringComparer.Ordinal);
    }

    private static bool IsZoneName(string zone) =>
        zone.Length is >= 4 and <= 32 && char.IsAsciiLetterLower(zone[^1]) && char.IsAsciiDigit(zone[^2]) && zone.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    /// <summary>The journaled undo record: the group, its exact VPCZoneIdentifier before and during, and whether simian suspended AZRebalance.</summary>
    internal sealed record Record
    {
        public required string Group { get; init; }
        public required string Zone { get; init; }
        public required string Original { get; init; }
        public required string Impaired { get; init; }
        public IReadOnlyList<string> Removed { get; init; } = [];
        public bool SuspendsRebalance { get; init; }

        public static Record From(JsonObject undo, string group) =>
            UndoRecords.Read(undo, ZoneImpairJson.Default.Record, $"the zone impairment of Auto Scaling group {group}");
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ZoneImpairFault.Record))]
internal sealed partial class ZoneImpairJson : JsonSerializerContext;
