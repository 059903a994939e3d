using System.Globalization;
using System.Net;
using System.Net.Sockets;
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
/// <c>network-blackhole</c> on <c>aws:ec2:subnet</c>: cuts a subnet off the network as a zone outage does. It creates a
/// network ACL of its own in the subnet's VPC — which, like every new ACL, denies all traffic in and out — allows only
/// the CIDRs in <c>params.allow</c> (a bastion, the monitoring that must keep watching), tags it with the run and the
/// subnet, and moves the subnet onto it. The journal holds the subnet's original ACL before anything changes. Undo
/// moves the subnet back (to the VPC's default ACL should the original be gone) and deletes every ACL the run made for
/// the subnet, found by its tags, so `recover` also removes one left behind by a crash between create and move.
/// </summary>
internal sealed class NetworkBlackholeFault(AwsSessions sessions) : IFault
{
    public const string RunTag = "simian:run";
    public const string SubnetTag = "simian:subnet";

    private const string Allow = "allow";

    // A network ACL takes 20 rules per direction by default; the first ones are ours to number.
    private const int MaxAllow = 20;
    private const int FirstRule = 100;

    public string Name => "network-blackhole";

    public IReadOnlyList<string> ParameterKeys { get; } = [Allow];

    public string Summary => "deny all traffic in and out of the subnet with a network ACL of its own (param allow: CIDRs kept reachable); undo moves the subnet back";

    public bool Reversible => true;

    /// <summary>The step's params: the IPv4 CIDR blocks still allowed in and out.</summary>
    public sealed record Parameters(IReadOnlyList<string> Allow);

    public void ValidateParams(YMapping parameters, DiagnosticBag diagnostics) =>
        FaultParameters.Read(parameters, diagnostics, "network-blackhole params", ParameterKeys, Read);

    private Parameters Params(YMapping parameters) => FaultParameters.Get(parameters, "network-blackhole params", ParameterKeys, Read);

    private static Parameters Read(MapReader r)
    {
        var allow = r.StringList(Allow);
        if (allow is null) return new([]);
        if (allow.Count > MaxAllow) r.Diagnostics.Error(r.LocationOf(Allow), $"'allow' lists {allow.Count} blocks; a network ACL takes {MaxAllow} rules per direction");
        var items = ((YSequence)r.Raw(Allow)!).Items;
        for (var i = 0; i < allow.Count && i < items.Count; i++)
        {
            if (!IsIpv4Cidr(allow[i])) r.Diagnostics.Error(items[i].Location, $"'{allow[i]}' is not an IPv4 CIDR block (like 10.0.0.7/32)");
        }
        return new(allow);
    }

    public string Describe(YMapping parameters, TimeSpan? duration)
    {
        var p = Params(parameters);
        var allowed = p.Allow.Count > 0 ? $" except to and from {string.Join(", ", p.Allow)}" : "";
        return $"deny all network traffic in and out of the subnet{allowed} (a network ACL of its own); undo moves the subnet back to its ACL";
    }

    public async Task<JsonObject> CaptureAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var session = sessions.Get(context.Settings.Values);
        var subnet = context.Resource.Id;
        var (acl, _) = await CurrentAsync(session, subnet, cancellationToken, undo: false).ConfigureAwait(false);
        if (acl.Tags?.Any(t => t.Key == RunTag) == true)
        {
            throw new ProviderException($"subnet {subnet} is already on network ACL {acl.NetworkAclId}, made by simian run "
                + $"{acl.Tags.First(t => t.Key == RunTag).Value}; run `simian recover` for that run first");
        }
        return UndoRecords.Write(new Record { Subnet = subnet, VpcId = acl.VpcId, OriginalAcl = acl.NetworkAclId }, NetworkBlackholeJson.Default.Record);
    }

    public async Task ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        var record = Record.From(undo, context.Resource.Id);
        var session = sessions.Get(context.Settings.Values);
        var allow = Params(context.Parameters).Allow;
        var created = await session.CallAsync($"cannot create a network ACL in {record.VpcId} (ec2:CreateNetworkAcl)",
            ct => session.Ec2.CreateNetworkAclAsync(new CreateNetworkAclRequest
            {
                VpcId = record.VpcId,
                TagSpecifications =
                [
                    new TagSpecification
                    {
                        ResourceType = Amazon.EC2.ResourceType.NetworkAcl,
                        Tags = [new Tag(RunTag, context.RunId), new Tag(SubnetTag, record.Subnet), new Tag("Name", $"simian blackhole {record.Subnet}")],
                    },
                ],
            }, ct), cancellationToken).ConfigureAwait(false);
        var acl = created.NetworkAcl.NetworkAclId;
        try
        {
            for (var i = 0; i < allow.Count; i++)
            {
                foreach (var egress in new[] { false, true })
                {
                    var rule = FirstRule + i;
                    await session.CallAsync($"cannot add rule {rule} to network ACL {acl} (ec2:CreateNetworkAclEntry)",
                        ct => session.Ec2.CreateNetworkAclEntryAsync(new CreateNetworkAclEntryRequest
                        {
                            NetworkAclId = acl, RuleNumber = rule, Protocol = "-1", RuleAction = Amazon.EC2.RuleAction.Allow, Egress = egress, CidrBlock = allow[i],
                        }, ct), cancellationToken).ConfigureAwait(false);
                }
            }

            // Moved only if the subnet is still where capture found it: someone else's change is never overwritten.
            var (current, association) = await CurrentAsync(session, record.Subnet, cancellationToken, undo: false).ConfigureAwait(false);
            if (current.NetworkAclId != record.OriginalAcl)
            {
                throw new ProviderException($"subnet {record.Subnet} moved from network ACL {record.OriginalAcl} to {current.NetworkAclId} since it was read; not changing it");
            }
            await session.CallAsync($"cannot move subnet {record.Subnet} onto network ACL {acl} (ec2:ReplaceNetworkAclAssociation)",
                ct => session.Ec2.ReplaceNetworkAclAssociationAsync(new ReplaceNetworkAclAssociationRequest { AssociationId = association, NetworkAclId = acl }, ct),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Not moved: the new ACL serves nothing, so it goes at once (rollback would find it by its tags anyway).
            try
            {
                await session.Ec2.DeleteNetworkAclAsync(new DeleteNetworkAclRequest { NetworkAclId = acl }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is Amazon.Runtime.AmazonServiceException or HttpRequestException)
            {
            }
            throw;
        }
    }

    public async Task<UndoOutcome> UndoAsync(UndoContext context, CancellationToken cancellationToken)
    {
        var record = Record.From(context.Undo, context.ResourceId);
        var session = sessions.Get(context.Settings);
        var ours = (await session.CallAsync($"cannot list the network ACLs simian made for subnet {record.Subnet} (ec2:DescribeNetworkAcls)",
            ct => session.Ec2.DescribeNetworkAclsAsync(new DescribeNetworkAclsRequest
            {
                Filters = [new Filter("tag:" + RunTag, [context.RunId]), new Filter("tag:" + SubnetTag, [record.Subnet]), new Filter("vpc-id", [record.VpcId])],
            }, ct), cancellationToken, undo: true).ConfigureAwait(false)).NetworkAcls ?? [];
        if (ours.Count == 0) return UndoOutcome.NothingToUndo;

        var (current, association) = await CurrentAsync(session, record.Subnet, cancellationToken, undo: true).ConfigureAwait(false);
        if (ours.Any(a => a.NetworkAclId == current.NetworkAclId))
        {
            var back = await OriginalOrDefaultAsync(session, record, context, cancellationToken).ConfigureAwait(false);
            await session.CallAsync($"cannot move subnet {record.Subnet} back onto network ACL {back} (ec2:ReplaceNetworkAclAssociation)",
                ct => session.Ec2.ReplaceNetworkAclAssociationAsync(new ReplaceNetworkAclAssociationRequest { AssociationId = association, NetworkAclId = back }, ct),
                cancellationToken, undo: true).ConfigureAwait(false);
        }
        else
        {
            context.Note?.Invoke($"subnet {record.Subnet} is on network ACL {current.NetworkAclId}, not simian's: someone moved it since; left there");
        }

        foreach (var acl in ours)
        {
            await session.CallAsync($"cannot delete network ACL {acl.NetworkAclId} (ec2:DeleteNetworkAcl)",
                ct => session.Ec2.DeleteNetworkAclAsync(new DeleteNetworkAclRequest { NetworkAclId = acl.NetworkAclId }, ct),
                cancellationToken, undo: true).ConfigureAwait(false);
        }
        return UndoOutcome.Restored;
    }

    /// <summary>The network ACL the subnet is on now, and the id of that association.</summary>
    private static async Task<(NetworkAcl Acl, string Association)> CurrentAsync(AwsSession session, string subnet, CancellationToken cancellationToken, bool undo)
    {
        var acls = (await session.CallAsync($"cannot read the network ACL of subnet {subnet} (ec2:DescribeNetworkAcls)",
            ct => session.Ec2.DescribeNetworkAclsAsync(new DescribeNetworkAclsRequest { Filters = [new Filter("association.subnet-id", [subnet])] }, ct),
            cancellationToken, undo).ConfigureAwait(false)).NetworkAcls ?? [];
        var acl = acls.Count == 1 ? acls[0] : throw new ProviderException($"subnet {subnet} has {acls.Count} network ACLs; EC2 gives every subnet exactly one");
        var association = acl.Associations?.FirstOrDefault(a => a.SubnetId == subnet)?.NetworkAclAssociationId
            ?? throw new ProviderException($"network ACL {acl.NetworkAclId} does not list its association with subnet {subnet}");
        return (acl, association);
    }

    private static async Task<string> OriginalOrDefaultAsync(AwsSession session, Record record, UndoContext context, CancellationToken cancellationToken)
    {
        var found = (await session.CallAsync($"cannot read network ACL {record.OriginalAcl} (ec2:DescribeNetworkAcls)",
            ct => session.Ec2.DescribeNetworkAclsAsync(new DescribeNetworkAclsRequest { Filters = [new Filter("network-acl-id", [record.OriginalAcl])] }, ct),
            cancellationToken, undo: true).ConfigureAwait(false)).NetworkAcls ?? [];
        if (found.Count > 0) return record.OriginalAcl;
        var fallback = (await session.CallAsync($"cannot find the default network ACL of {record.VpcId} (ec2:DescribeNetworkAcls)",
            ct => session.Ec2.DescribeNetworkAclsAsync(new DescribeNetworkAclsRequest
            {
                Filters = [new Filter("vpc-id", [record.VpcId]), new Filter("default", ["true"])],
            }, ct), cancellationToken, undo: true).ConfigureAwait(false)).NetworkAcls ?? [];
        var id = fallback.FirstOrDefault()?.NetworkAclId
            ?? throw new ProviderException($"subnet {record.Subnet}'s original network ACL {record.OriginalAcl} is gone and {record.VpcId} has no default ACL");
        context.Note?.Invoke($"subnet {record.Subnet}'s original network ACL {record.OriginalAcl} was deleted since; moving it to the VPC's default ACL {id}");
        return id;
    }

    private static bool IsIpv4Cidr(string text)
    {
        var slash = text.IndexOf('/');
        return slash > 0
            && IPAddress.TryParse(text.AsSpan(0, slash), out var address) && address.AddressFamily == AddressFamily.InterNetwork
            && text[..slash].Count(c => c == '.') == 3
            && int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) && prefix <= 32;
    }

    /// <summary>The journaled undo record: the subnet, its VPC and the network ACL it was on before.</summary>
    internal sealed record Record
    {
        public required string Subnet { get; init; }
        public required string VpcId { get; init; }
        public required string OriginalAcl { get; init; }

        public static Record From(JsonObject undo, string subnet) =>
            UndoRecords.Read(undo, NetworkBlackholeJson.Default.Record, $"the network blackhole of subnet {subnet}");
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(NetworkBlackholeFault.Record))]
internal sealed partial class NetworkBlackholeJson : JsonSerializerContext;
