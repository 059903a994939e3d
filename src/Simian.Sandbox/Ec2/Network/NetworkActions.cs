using System.Globalization;
using System.Xml;
using Simian.Sandbox.Http;
using Simian.Sandbox.Policy;

namespace Simian.Sandbox.Ec2.Network;

/// <summary>
/// The EC2 Query actions on VPCs, subnets and network ACLs: what a zone's network outage (network-blackhole) uses, and
/// what awscli reads. Parameters the sandbox does not model (IPv6 blocks, ICMP codes) are refused, never ignored.
/// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Operations.html
/// </summary>
internal sealed class NetworkActions(NetworkStore store, string ownerId, string region)
{
    private const string Ns = Ec2Xml.Namespace;

    private static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>();

    public static readonly string[] Names =
    [
        "DescribeVpcs", "DescribeSubnets", "DescribeNetworkAcls", "CreateNetworkAcl", "DeleteNetworkAcl",
        "CreateNetworkAclEntry", "DeleteNetworkAclEntry", "ReplaceNetworkAclAssociation",
    ];

    public SandboxResponse Handle(string action, QueryParameters p, string requestId) => action switch
    {
        "DescribeVpcs" => DescribeVpcs(p, requestId),
        "DescribeSubnets" => DescribeSubnets(p, requestId),
        "DescribeNetworkAcls" => DescribeNetworkAcls(p, requestId),
        "CreateNetworkAcl" => CreateNetworkAcl(p, requestId),
        "DeleteNetworkAcl" => Return(p, action, requestId, () => store.Delete(Required(p, "NetworkAclId"))),
        "CreateNetworkAclEntry" => CreateEntry(p, requestId),
        "DeleteNetworkAclEntry" => Return(p, action, requestId,
            () => store.DeleteEntry(Required(p, "NetworkAclId"), RuleNumber(p), p.Flag("Egress"))),
        "ReplaceNetworkAclAssociation" => Replace(p, requestId),
        _ => throw new InvalidOperationException(action),
    };

    private SandboxResponse DescribeVpcs(QueryParameters p, string requestId)
    {
        var ids = p.List("VpcId");
        var all = store.Vpcs;
        Missing(ids, all.Select(v => v.Id), "InvalidVpcID.NotFound", "vpc");
        var filter = Filters(p, ["vpc-id", "cidr", "cidr-block", "cidrBlock", "is-default", "state", "owner-id"], (Vpc v, string name) => name switch
        {
            "vpc-id" => [v.Id],
            "cidr" or "cidr-block" or "cidrBlock" => [v.CidrBlock],
            "is-default" => ["false"],
            "state" => ["available"],
            "owner-id" => [ownerId],
            _ => null,
        }, _ => NoTags);
        var page = Page(p, all.Where(v => (ids.Count == 0 || ids.Contains(v.Id)) && filter(v)).ToList());
        return SandboxResponse.Xml(200, w => Response(w, "DescribeVpcs", requestId, "vpcSet", page.Items, page.Next, v =>
        {
            w.WriteElementString("vpcId", Ns, v.Id);
            w.WriteElementString("ownerId", Ns, ownerId);
            w.WriteElementString("state", Ns, "available");
            w.WriteElementString("cidrBlock", Ns, v.CidrBlock);
            w.WriteElementString("dhcpOptionsId", Ns, "default");
            w.WriteElementString("instanceTenancy", Ns, "default");
            w.WriteElementString("isDefault", Ns, "false");
        }));
    }

    private SandboxResponse DescribeSubnets(QueryParameters p, string requestId)
    {
        var ids = p.List("SubnetId");
        var all = store.Subnets;
        Missing(ids, all.Select(s => s.Id), "InvalidSubnetID.NotFound", "subnet");
        var filter = Filters(p, ["subnet-id", "subnetId", "vpc-id", "vpcId", "availability-zone", "availabilityZone", "cidr-block", "cidr",
            "cidrBlock", "state", "default-for-az", "defaultForAz", "owner-id"], (Subnet s, string name) => name switch
        {
            "subnet-id" or "subnetId" => [s.Id],
            "vpc-id" or "vpcId" => [s.VpcId],
            "availability-zone" or "availabilityZone" => [s.Zone],
            "cidr-block" or "cidr" or "cidrBlock" => [s.CidrBlock],
            "state" => ["available"],
            "default-for-az" or "defaultForAz" => ["false"],
            "owner-id" => [ownerId],
            _ => null,
        }, s => s.Tags);
        var page = Page(p, all.Where(s => (ids.Count == 0 || ids.Contains(s.Id)) && filter(s)).ToList());
        return SandboxResponse.Xml(200, w => Response(w, "DescribeSubnets", requestId, "subnetSet", page.Items, page.Next, s =>
        {
            w.WriteElementString("subnetId", Ns, s.Id);
            w.WriteElementString("subnetArn", Ns, $"arn:aws:ec2:{region}:{ownerId}:subnet/{s.Id}");
            w.WriteElementString("state", Ns, "available");
            w.WriteElementString("ownerId", Ns, ownerId);
            w.WriteElementString("vpcId", Ns, s.VpcId);
            w.WriteElementString("cidrBlock", Ns, s.CidrBlock);
            w.WriteElementString("availableIpAddressCount", Ns, "251");
            w.WriteElementString("availabilityZone", Ns, s.Zone);
            w.WriteElementString("defaultForAz", Ns, "false");
            w.WriteElementString("mapPublicIpOnLaunch", Ns, "false");
            Ec2Xml.TagSet(w, s.Tags);
        }));
    }

    private SandboxResponse DescribeNetworkAcls(QueryParameters p, string requestId)
    {
        var ids = p.List("NetworkAclId");
        var all = store.Acls;
        Missing(ids, all.Select(a => a.Acl.Id), "InvalidNetworkAclID.NotFound", "networkAcl");
        var filter = Filters(p, ["network-acl-id", "vpc-id", "default", "association.subnet-id", "association.association-id",
            "association.network-acl-id", "entry.rule-number", "entry.rule-action", "entry.cidr", "entry.egress", "owner-id"], (AclView a, string name) => name switch
        {
            "network-acl-id" => [a.Acl.Id],
            "vpc-id" => [a.Acl.VpcId],
            "default" => [a.Acl.IsDefault ? "true" : "false"],
            "association.subnet-id" => a.Subnets.Select(s => s.Id),
            "association.association-id" => a.Subnets.Select(s => s.AssociationId),
            "association.network-acl-id" => a.Subnets.Count > 0 ? [a.Acl.Id] : [],
            "entry.rule-number" => a.Entries.Select(e => e.RuleNumber.ToString(CultureInfo.InvariantCulture)),
            "entry.rule-action" => a.Entries.Select(e => e.RuleAction),
            "entry.cidr" => a.Entries.Select(e => e.CidrBlock),
            "entry.egress" => a.Entries.Select(e => e.Egress ? "true" : "false"),
            "owner-id" => [ownerId],
            _ => null,
        }, a => a.Acl.Tags);
        var page = Page(p, all.Where(a => (ids.Count == 0 || ids.Contains(a.Acl.Id)) && filter(a)).ToList());
        return SandboxResponse.Xml(200, w => Response(w, "DescribeNetworkAcls", requestId, "networkAclSet", page.Items, page.Next, a => AclFields(w, a)));
    }

    private SandboxResponse CreateNetworkAcl(QueryParameters p, string requestId)
    {
        var vpc = Required(p, "VpcId");
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var n in p.Indexed("TagSpecification"))
        {
            var type = p[$"TagSpecification.{n}.ResourceType"];
            if (type != "network-acl")
            {
                throw new AwsErrorException(400, "InvalidParameterValue",
                    $"'{type}' is not a valid taggable resource type for this operation.");
            }

            foreach (var m in p.Indexed($"TagSpecification.{n}.Tag"))
            {
                var key = p[$"TagSpecification.{n}.Tag.{m}.Key"] ?? throw MissingParameter($"TagSpecification.{n}.Tag.{m}.Key");
                if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
                {
                    throw new AwsErrorException(400, "InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use");
                }

                tags[key] = p[$"TagSpecification.{n}.Tag.{m}.Value"] ?? "";
            }
        }

        DryRun(p);
        var acl = store.Create(vpc, tags);
        var view = store.View(acl);
        return SandboxResponse.Xml(200, w =>
        {
            w.WriteStartElement("CreateNetworkAclResponse", Ns);
            w.WriteElementString("requestId", Ns, requestId);
            w.WriteStartElement("networkAcl", Ns);
            AclFields(w, view);
            w.WriteEndElement();
            w.WriteEndElement();
        });
    }

    private SandboxResponse CreateEntry(QueryParameters p, string requestId)
    {
        var acl = Required(p, "NetworkAclId");
        var rule = RuleNumber(p);
        var action = Required(p, "RuleAction").ToLowerInvariant();
        if (action is not ("allow" or "deny"))
        {
            throw new AwsErrorException(400, "InvalidParameterValue", $"Invalid value '{action}' for ruleAction. It should be allow or deny.");
        }

        if (p["Ipv6CidrBlock"] is not null || p.Indexed("Icmp").Count > 0 || p["Icmp.Code"] is not null || p["Icmp.Type"] is not null)
        {
            throw new AwsErrorException(501, "NotImplemented",
                "The sandbox does not model IPv6 or ICMP network ACL entries (it models IPv4 CidrBlock rules for all traffic, TCP and UDP).");
        }

        var cidrText = Required(p, "CidrBlock");
        if (!Cidr.TryParse(cidrText, out var cidr))
        {
            throw new AwsErrorException(400, "InvalidParameterValue", $"Value ({cidrText}) for parameter cidrBlock is invalid. This is not a valid CIDR block.");
        }

        var protocol = Required(p, "Protocol");
        if (!(protocol == "-1" || (int.TryParse(protocol, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= 255)))
        {
            throw new AwsErrorException(400, "InvalidParameterValue", $"Invalid value '{protocol}' for protocol. Use -1 for all protocols or a protocol number.");
        }

        int? from = null, to = null;
        if (protocol is "6" or "17")
        {
            from = Port(p, "PortRange.From");
            to = Port(p, "PortRange.To");
        }
        else if (protocol is not "-1")
        {
            throw new AwsErrorException(501, "NotImplemented",
                $"The sandbox does not model network ACL rules for protocol {protocol} (it models -1, 6 and 17).");
        }

        DryRun(p);
        store.AddEntry(acl, new AclEntry(rule, p.Flag("Egress"), protocol, action, cidr.ToString(), from, to));
        return SandboxResponse.Xml(200, w => Ec2Xml.Return(w, "CreateNetworkAclEntry", requestId));
    }

    private SandboxResponse Replace(QueryParameters p, string requestId)
    {
        var association = Required(p, "AssociationId");
        var acl = Required(p, "NetworkAclId");
        DryRun(p);
        var id = store.Replace(association, acl);
        return SandboxResponse.Xml(200, w =>
        {
            w.WriteStartElement("ReplaceNetworkAclAssociationResponse", Ns);
            w.WriteElementString("requestId", Ns, requestId);
            w.WriteElementString("newAssociationId", Ns, id);
            w.WriteEndElement();
        });
    }

    private static SandboxResponse Return(QueryParameters p, string action, string requestId, Action change)
    {
        DryRun(p);
        change();
        return SandboxResponse.Xml(200, w => Ec2Xml.Return(w, action, requestId));
    }

    private void AclFields(XmlWriter w, AclView a)
    {
        w.WriteElementString("networkAclId", Ns, a.Acl.Id);
        w.WriteElementString("vpcId", Ns, a.Acl.VpcId);
        w.WriteElementString("default", Ns, a.Acl.IsDefault ? "true" : "false");
        w.WriteElementString("ownerId", Ns, ownerId);
        w.WriteStartElement("entrySet", Ns);
        foreach (var e in a.Entries)
        {
            w.WriteStartElement("item", Ns);
            w.WriteElementString("ruleNumber", Ns, e.RuleNumber.ToString(CultureInfo.InvariantCulture));
            w.WriteElementString("protocol", Ns, e.Protocol);
            w.WriteElementString("ruleAction", Ns, e.RuleAction);
            w.WriteElementString("egress", Ns, e.Egress ? "true" : "false");
            w.WriteElementString("cidrBlock", Ns, e.CidrBlock);
            if (e.PortFrom is { } from && e.PortTo is { } to)
            {
                w.WriteStartElement("portRange", Ns);
                w.WriteElementString("from", Ns, from.ToString(CultureInfo.InvariantCulture));
                w.WriteElementString("to", Ns, to.ToString(CultureInfo.InvariantCulture));
                w.WriteEndElement();
            }

            w.WriteEndElement();
        }

        w.WriteEndElement();
        w.WriteStartElement("associationSet", Ns);
        foreach (var s in a.Subnets)
        {
            w.WriteStartElement("item", Ns);
            w.WriteElementString("networkAclAssociationId", Ns, s.AssociationId);
            w.WriteElementString("networkAclId", Ns, a.Acl.Id);
            w.WriteElementString("subnetId", Ns, s.Id);
            w.WriteEndElement();
        }

        w.WriteEndElement();
        Ec2Xml.TagSet(w, a.Acl.Tags);
    }

    private static void Response<T>(XmlWriter w, string action, string requestId, string set, IReadOnlyList<T> items, string? next, Action<T> item)
    {
        w.WriteStartElement(action + "Response", Ns);
        w.WriteElementString("requestId", Ns, requestId);
        w.WriteStartElement(set, Ns);
        foreach (var i in items)
        {
            w.WriteStartElement("item", Ns);
            item(i);
            w.WriteEndElement();
        }

        w.WriteEndElement();
        if (next is not null) w.WriteElementString("nextToken", Ns, next);
        w.WriteEndElement();
    }

    /// <summary>
    /// Compiles the request's Filter.N parameters: a resource matches when every filter has a value (with * and ?
    /// wildcards) equal to one of the resource's; a filter name the sandbox does not know is refused.
    /// </summary>
    private static Func<T, bool> Filters<T>(QueryParameters p, string[] known, Func<T, string, IEnumerable<string>?> field,
        Func<T, IReadOnlyDictionary<string, string>> tags)
    {
        var tests = new List<Func<T, bool>>();
        foreach (var n in p.Indexed("Filter"))
        {
            var name = p[$"Filter.{n}.Name"] ?? throw MissingParameter($"Filter.{n}.Name");
            var values = p.List($"Filter.{n}.Value");
            Func<T, IEnumerable<string>> of = name switch
            {
                _ when name.StartsWith("tag:", StringComparison.Ordinal) => r => tags(r).TryGetValue(name[4..], out var v) ? [v] : [],
                "tag-key" => r => tags(r).Keys,
                "tag-value" => r => tags(r).Values,
                _ when known.Contains(name) => r => field(r, name) ?? [],
                _ => throw new AwsErrorException(400, "InvalidParameterValue",
                    $"The filter '{name}' is invalid; the sandbox knows: {string.Join(", ", known)}, tag:KEY, tag-key, tag-value"),
            };
            tests.Add(r => of(r).Any(v => values.Any(pattern => Wildcard.IsMatch(pattern, v, ignoreCase: false))));
        }

        return r => tests.TrueForAll(t => t(r));
    }

    private static (IReadOnlyList<T> Items, string? Next) Page<T>(QueryParameters p, List<T> all)
    {
        var start = p["NextToken"] is { Length: > 0 } token ? Ec2Service.DecodeToken(token) : 0;

        var max = int.MaxValue;
        if (p["MaxResults"] is { } text
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max is < 5 or > 1000))
        {
            throw new AwsErrorException(400, "InvalidParameterValue",
                $"Value ( {text} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.");
        }

        DryRun(p);
        var items = all.Skip(start).Take(max).ToList();
        var next = start + items.Count < all.Count ? Ec2Service.EncodeToken(start + items.Count) : null;
        return (items, next);
    }

    private static void Missing(IReadOnlyList<string> ids, IEnumerable<string> known, string code, string what)
    {
        var set = known.ToHashSet(StringComparer.Ordinal);
        var missing = ids.Where(id => !set.Contains(id)).ToList();
        if (missing.Count > 0)
        {
            throw new AwsErrorException(400, code, $"The {what} ID '{string.Join("', '", missing)}' does not exist");
        }
    }

    private static int RuleNumber(QueryParameters p)
    {
        var text = Required(p, "RuleNumber");
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var rule) || rule is < 1 or > 32766)
        {
            throw new AwsErrorException(400, "InvalidParameterValue",
                $"Value ({text}) for parameter ruleNumber is invalid. The rule number must be between 1 and 32766.");
        }

        return rule;
    }

    private static int Port(QueryParameters p, string name)
    {
        var text = Required(p, name);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port
            : throw new AwsErrorException(400, "InvalidParameterValue", $"Value ({text}) for parameter {name} is invalid.");
    }

    private static string Required(QueryParameters p, string name) => p[name] ?? throw MissingParameter(name);

    private static AwsErrorException MissingParameter(string name) =>
        new(400, "MissingParameter", $"The request must contain the parameter {name}");

    private static void DryRun(QueryParameters p)
    {
        if (p.Flag("DryRun")) throw Ec2Errors.DryRun();
    }
}
