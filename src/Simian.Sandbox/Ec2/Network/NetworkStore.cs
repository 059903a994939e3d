using System.Globalization;

namespace Simian.Sandbox.Ec2.Network;

internal sealed record Vpc(string Id, string CidrBlock);

internal sealed record Subnet(string Id, string VpcId, string Zone, string CidrBlock, IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>The one network ACL association a subnet always has (EC2 never leaves a subnet without one).</summary>
    public required string AssociationId { get; set; }

    public required string NetworkAclId { get; set; }
}

internal sealed record AclEntry(int RuleNumber, bool Egress, string Protocol, string RuleAction, string CidrBlock, int? PortFrom, int? PortTo);

internal sealed class NetworkAcl(string id, string vpcId, bool isDefault, IReadOnlyDictionary<string, string> tags)
{
    /// <summary>The rule every network ACL ends with and nobody can change: deny whatever no numbered rule allowed.</summary>
    public const int LastRule = 32767;

    public string Id { get; } = id;

    public string VpcId { get; } = vpcId;

    public bool IsDefault { get; } = isDefault;

    public IReadOnlyDictionary<string, string> Tags { get; } = tags;

    public List<AclEntry> Entries { get; } = [];
}

/// <summary>A consistent copy of one network ACL with the subnets associated with it, for a response.</summary>
internal sealed record AclView(NetworkAcl Acl, IReadOnlyList<AclEntry> Entries, IReadOnlyList<Subnet> Subnets);

/// <summary>
/// The sandbox's VPCs, subnets and network ACLs, with EC2's rules: every VPC has a default network ACL that allows
/// everything and cannot be deleted; every subnet is associated with exactly one ACL (the default one to begin with)
/// and moves to another only by ReplaceNetworkAclAssociation, which gives the association a new id; an ACL that a
/// subnet uses cannot be deleted; a new ACL denies everything until rules are added.
/// https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html
/// </summary>
internal sealed class NetworkStore
{
    private readonly object _gate = new();
    private readonly List<Vpc> _vpcs = [];
    private readonly List<Subnet> _subnets = [];
    private readonly List<NetworkAcl> _acls = [];
    private long _next = 0x5a9d1c000;

    public NetworkStore(Fleet fleet, IEnumerable<(string SubnetId, string VpcId, string Zone)> usedByInstances)
    {
        var declared = fleet.Subnets.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var subnets = fleet.Subnets.Select(s => (s.Id, s.VpcId, s.Zone, s.Cidr, (IReadOnlyDictionary<string, string>)s.Tags)).ToList();
        foreach (var (id, vpc, zone) in usedByInstances)
        {
            if (!declared.ContainsKey(id) && !subnets.Exists(s => s.Id == id))
            {
                subnets.Add((id, vpc, zone, null, new Dictionary<string, string>()));
            }
        }

        var nextBlock = 0;
        foreach (var (id, vpcId, zone, cidr, tags) in subnets)
        {
            if (!_vpcs.Exists(v => v.Id == vpcId))
            {
                _vpcs.Add(new Vpc(vpcId, "10.0.0.0/16"));
                var acl = new NetworkAcl(NewId("acl"), vpcId, isDefault: true, new Dictionary<string, string>());
                acl.Entries.Add(new AclEntry(100, false, "-1", "allow", "0.0.0.0/0", null, null));
                acl.Entries.Add(new AclEntry(100, true, "-1", "allow", "0.0.0.0/0", null, null));
                AddLastRules(acl);
                _acls.Add(acl);
            }

            var block = cidr ?? $"10.0.{nextBlock++.ToString(CultureInfo.InvariantCulture)}.0/24";
            _subnets.Add(new Subnet(id, vpcId, zone, block, tags)
            {
                AssociationId = NewId("aclassoc"),
                NetworkAclId = DefaultAcl(vpcId).Id,
            });
        }
    }

    public IReadOnlyList<Vpc> Vpcs
    {
        get { lock (_gate) return [.. _vpcs]; }
    }

    public IReadOnlyList<Subnet> Subnets
    {
        get { lock (_gate) return [.. _subnets.Select(s => s with { })]; }
    }

    public IReadOnlyList<AclView> Acls
    {
        get
        {
            lock (_gate)
            {
                return [.. _acls.Select(a => new AclView(a, [.. a.Entries.OrderBy(e => e.RuleNumber)], [.. _subnets.Where(s => s.NetworkAclId == a.Id).Select(s => s with { })]))];
            }
        }
    }

    /// <summary>The network ACL a subnet's traffic passes, or null for a subnet the sandbox does not know.</summary>
    public string? AclOf(string subnetId)
    {
        lock (_gate) return _subnets.Find(s => s.Id == subnetId)?.NetworkAclId;
    }

    /// <summary>
    /// Whether the ACL of <paramref name="subnetId"/> lets all traffic through in both directions: the first rule
    /// (lowest number) that covers "everything from anywhere" decides, as EC2 evaluates rules in order.
    /// </summary>
    public bool Reachable(string subnetId)
    {
        lock (_gate)
        {
            if (_subnets.Find(s => s.Id == subnetId) is not { } subnet) return true;
            var acl = _acls.Find(a => a.Id == subnet.NetworkAclId)!;
            return Allows(acl, egress: false) && Allows(acl, egress: true);
        }

        static bool Allows(NetworkAcl acl, bool egress) =>
            acl.Entries.Where(e => e.Egress == egress && e.Protocol == "-1" && e.CidrBlock == "0.0.0.0/0").MinBy(e => e.RuleNumber)?.RuleAction == "allow";
    }

    public NetworkAcl Create(string vpcId, IReadOnlyDictionary<string, string> tags)
    {
        lock (_gate)
        {
            if (!_vpcs.Exists(v => v.Id == vpcId))
            {
                throw new AwsErrorException(400, "InvalidVpcID.NotFound", $"The vpc ID '{vpcId}' does not exist");
            }

            var acl = new NetworkAcl(NewId("acl"), vpcId, isDefault: false, tags);
            AddLastRules(acl);
            _acls.Add(acl);
            return acl;
        }
    }

    public AclView View(NetworkAcl acl)
    {
        lock (_gate) return new AclView(acl, [.. acl.Entries.OrderBy(e => e.RuleNumber)], [.. _subnets.Where(s => s.NetworkAclId == acl.Id).Select(s => s with { })]);
    }

    public void Delete(string aclId)
    {
        lock (_gate)
        {
            var acl = Find(aclId);
            if (acl.IsDefault)
            {
                throw new AwsErrorException(400, "InvalidParameterValue", $"cannot delete default network ACL {aclId}");
            }

            if (_subnets.Exists(s => s.NetworkAclId == aclId))
            {
                throw new AwsErrorException(400, "DependencyViolation", $"The networkAcl '{aclId}' has dependencies and cannot be deleted.");
            }

            _acls.Remove(acl);
        }
    }

    public void AddEntry(string aclId, AclEntry entry)
    {
        lock (_gate)
        {
            var acl = Find(aclId);
            if (acl.Entries.Exists(e => e.RuleNumber == entry.RuleNumber && e.Egress == entry.Egress))
            {
                throw new AwsErrorException(400, "NetworkAclEntryAlreadyExists",
                    $"The network acl entry identified by {entry.RuleNumber.ToString(CultureInfo.InvariantCulture)} already exists.");
            }

            acl.Entries.Add(entry);
        }
    }

    public void DeleteEntry(string aclId, int ruleNumber, bool egress)
    {
        lock (_gate)
        {
            var acl = Find(aclId);
            if (acl.Entries.FindIndex(e => e.RuleNumber == ruleNumber && e.Egress == egress && ruleNumber != NetworkAcl.LastRule) is var at and >= 0)
            {
                acl.Entries.RemoveAt(at);
                return;
            }

            throw new AwsErrorException(400, "InvalidNetworkAclEntry.NotFound",
                $"The specified rule does not exist in this network ACL: rule {ruleNumber.ToString(CultureInfo.InvariantCulture)} ({(egress ? "egress" : "ingress")}) of {aclId}");
        }
    }

    /// <summary>Moves the subnet of <paramref name="associationId"/> to another ACL of its VPC; returns the new association id.</summary>
    public string Replace(string associationId, string aclId)
    {
        lock (_gate)
        {
            var subnet = _subnets.Find(s => s.AssociationId == associationId)
                ?? throw new AwsErrorException(400, "InvalidAssociationID.NotFound", $"The association ID '{associationId}' does not exist");
            var acl = Find(aclId);
            if (acl.VpcId != subnet.VpcId)
            {
                throw new AwsErrorException(400, "InvalidParameterValue",
                    $"Network ACL {aclId} and subnet {subnet.Id} belong to different networks (VPC {acl.VpcId} and {subnet.VpcId})");
            }

            subnet.NetworkAclId = aclId;
            subnet.AssociationId = NewId("aclassoc");
            return subnet.AssociationId;
        }
    }

    public bool AclExists(string aclId)
    {
        lock (_gate) return _acls.Exists(a => a.Id == aclId);
    }

    private NetworkAcl Find(string aclId) => _acls.Find(a => a.Id == aclId)
        ?? throw new AwsErrorException(400, "InvalidNetworkAclID.NotFound", $"The networkAcl ID '{aclId}' does not exist");

    private NetworkAcl DefaultAcl(string vpcId) => _acls.Find(a => a.VpcId == vpcId && a.IsDefault)!;

    private static void AddLastRules(NetworkAcl acl)
    {
        acl.Entries.Add(new AclEntry(NetworkAcl.LastRule, false, "-1", "deny", "0.0.0.0/0", null, null));
        acl.Entries.Add(new AclEntry(NetworkAcl.LastRule, true, "-1", "deny", "0.0.0.0/0", null, null));
    }

    // EC2 ids are a prefix and 17 hex digits.
    private string NewId(string prefix) => $"{prefix}-{(++_next).ToString("x17", CultureInfo.InvariantCulture)}";
}
