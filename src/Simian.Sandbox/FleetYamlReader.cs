using System.Globalization;
using System.Text;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Simian.Sandbox;

/// <summary>Reads fleet YAML through YamlDotNet's representation model, reporting errors with their location.</summary>
internal sealed class FleetYamlReader
{
    private static readonly string[] RootKeys = ["account", "region", "launchTime", "identities", "instances", "generate", "buckets", "autoScalingGroups", "subnets", "site"];
    private static readonly string[] SiteKeys = ["port", "services"];
    private static readonly string[] ServiceKeys = ["tag", "minHealthy"];
    private static readonly string[] SubnetKeys = ["id", "zone", "vpcId", "cidr", "tags"];
    private static readonly string[] GroupKeys =
        ["name", "minSize", "maxSize", "desiredCapacity", "zones", "healthCheckGracePeriod", "healthCheckType", "suspendedProcesses", "tags"];
    private static readonly string[] IdentityKeys = ["accessKeyId", "secretAccessKey", "arn", "userId", "account", "deniedActions", "sessionToken", "sessionExpires", "ssoAccessToken", "ssoRoleName"];
    private static readonly string[] InstanceKeys =
        ["id", "type", "zone", "state", "spot", "vpcId", "subnetId", "imageId", "privateIpAddress", "launchTime", "tags", "reservation"];
    private static readonly string[] GeneratorKeys = ["count", "type", "zones", "tags", "asgs", "state", "spotEvery", "vpcId", "imageId"];
    private static readonly string[] BucketKeys = ["name", "policy", "tags", "objects", "owner", "blockPublicAccess"];

    private readonly string _source;

    private FleetYamlReader(string source) => _source = source;

    public static Fleet Read(string yaml, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new FleetException(source, (int)e.Start.Line, (int)e.Start.Column, Clean(e.Message));
        }

        var reader = new FleetYamlReader(source);
        var fleet = new Fleet();
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return fleet;
        }

        reader.ReadRoot(stream.Documents[0].RootNode, fleet);
        try
        {
            fleet.Validate();
        }
        catch (FleetException e)
        {
            throw new FleetException(source, 1, 1, e.Detail);
        }

        return fleet;
    }

    private void ReadRoot(YamlNode node, Fleet fleet)
    {
        ForEachKey(node, "fleet", RootKeys, (key, value) =>
        {
            switch (key)
            {
                case "account":
                    fleet.Account = Scalar(value, key);
                    Check(value, FleetRules.AccountError(fleet.Account));
                    break;
                case "region": fleet.Region = Scalar(value, key); break;
                case "launchTime": fleet.LaunchTime = Time(value, key); break;
                case "identities":
                    foreach (var item in Sequence(value, key))
                    {
                        fleet.Identities.Add(ReadIdentity(item));
                    }

                    break;
                case "instances":
                    var ids = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var item in Sequence(value, key))
                    {
                        var instance = ReadInstance(item);
                        if (!ids.Add(instance.Id))
                        {
                            throw Error(item, $"instance id '{instance.Id}' is listed twice");
                        }

                        fleet.Instances.Add(instance);
                    }

                    break;
                case "generate":
                    foreach (var item in Sequence(value, key))
                    {
                        fleet.Generate.Add(ReadGenerator(item));
                    }

                    break;
                case "autoScalingGroups":
                    foreach (var item in Sequence(value, key))
                    {
                        var group = ReadGroup(item);
                        Check(item, FleetRules.GroupError(group));
                        if (fleet.AutoScalingGroups.Exists(g => g.Name == group.Name))
                        {
                            throw Error(item, $"Auto Scaling group '{group.Name}' is listed twice");
                        }

                        fleet.AutoScalingGroups.Add(group);
                    }

                    break;
                case "site":
                    fleet.Site = ReadSite(value);
                    break;
                case "subnets":
                    foreach (var item in Sequence(value, key))
                    {
                        var subnet = ReadSubnet(item);
                        if (fleet.Subnets.Exists(s => s.Id == subnet.Id))
                        {
                            throw Error(item, $"subnet '{subnet.Id}' is listed twice");
                        }

                        fleet.Subnets.Add(subnet);
                    }

                    break;
                case "buckets":
                    var names = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var item in Sequence(value, key))
                    {
                        var bucket = ReadBucket(item);
                        if (!names.Add(bucket.Name))
                        {
                            throw Error(item, $"bucket '{bucket.Name}' is listed twice");
                        }

                        fleet.Buckets.Add(bucket);
                    }

                    break;
            }
        });
    }

    private FleetIdentity ReadIdentity(YamlNode node)
    {
        string? accessKeyId = null, secret = null, arn = null, userId = null, account = null, token = null;
        DateTimeOffset? expires = null;
        string? ssoToken = null, ssoRole = null;
        var denied = new List<string>();
        ForEachKey(node, "identity", IdentityKeys, (key, value) =>
        {
            if (key == "sessionExpires")
            {
                expires = Time(value, key);
                return;
            }

            if (key == "deniedActions")
            {
                foreach (var item in Sequence(value, key))
                {
                    var action = Scalar(item, "action");
                    if (action != "*" && !action.Contains(':', StringComparison.Ordinal))
                    {
                        throw Error(item, $"denied action '{action}' must read service:Action, e.g. ec2:StartInstances");
                    }

                    denied.Add(action);
                }

                return;
            }

            var text = Scalar(value, key);
            switch (key)
            {
                case "accessKeyId": accessKeyId = text; break;
                case "secretAccessKey": secret = text; break;
                case "arn": arn = text; break;
                case "userId": userId = text; break;
                case "sessionToken": token = text; break;
                case "ssoAccessToken": ssoToken = text; break;
                case "ssoRoleName": ssoRole = text; break;
                case "account":
                    account = text;
                    Check(value, FleetRules.AccountError(text));
                    break;
            }
        });
        var identity = new FleetIdentity
        {
            AccessKeyId = accessKeyId ?? throw Error(node, "identity is missing 'accessKeyId'"),
            Arn = arn ?? throw Error(node, "identity is missing 'arn'"),
            SecretAccessKey = secret,
            UserId = userId,
            Account = account,
            SessionToken = token,
            SessionExpires = expires,
            SsoAccessToken = ssoToken,
            SsoRoleName = ssoRole,
        };
        identity.DeniedActions.AddRange(denied);
        return identity;
    }

    private FleetInstance ReadInstance(YamlNode node)
    {
        var instance = new FleetInstance { Id = "" };
        string? id = null;
        ForEachKey(node, "instance", InstanceKeys, (key, value) =>
        {
            switch (key)
            {
                case "id":
                    id = Scalar(value, key);
                    Check(value, FleetRules.InstanceIdError(id));
                    break;
                case "type": instance.Type = Scalar(value, key); break;
                case "zone": instance.Zone = Scalar(value, key); break;
                case "state":
                    instance.State = Scalar(value, key);
                    Check(value, FleetRules.StateError(instance.State));
                    break;
                case "spot": instance.Spot = Bool(value, key); break;
                case "vpcId": instance.VpcId = Scalar(value, key); break;
                case "subnetId": instance.SubnetId = Scalar(value, key); break;
                case "imageId": instance.ImageId = Scalar(value, key); break;
                case "privateIpAddress": instance.PrivateIpAddress = Scalar(value, key); break;
                case "launchTime": instance.LaunchTime = Time(value, key); break;
                case "reservation":
                    instance.ReservationId = Scalar(value, key);
                    if (!instance.ReservationId.StartsWith("r-", StringComparison.Ordinal)) throw Error(value, $"reservation '{instance.ReservationId}' must start with 'r-'");
                    break;
                case "tags": CopyMap(value, key, instance.Tags); break;
            }
        });
        instance.Id = id ?? throw Error(node, "instance is missing 'id'");
        return instance;
    }

    private FleetInstanceGenerator ReadGenerator(YamlNode node)
    {
        var generator = new FleetInstanceGenerator();
        var hasCount = false;
        ForEachKey(node, "generate entry", GeneratorKeys, (key, value) =>
        {
            switch (key)
            {
                case "count":
                    generator.Count = Int(value, key, 0, FleetRules.MaxGeneratedPerBlock);
                    hasCount = true;
                    break;
                case "type": generator.Type = Scalar(value, key); break;
                case "zones":
                    foreach (var zone in Sequence(value, key))
                    {
                        generator.Zones.Add(Scalar(zone, "zone"));
                    }

                    break;
                case "tags": CopyMap(value, key, generator.Tags); break;
                case "asgs": generator.Asgs = Int(value, key, 0, 100_000); break;
                case "state":
                    generator.State = Scalar(value, key);
                    Check(value, FleetRules.StateError(generator.State));
                    break;
                case "spotEvery": generator.SpotEvery = Int(value, key, 0, int.MaxValue); break;
                case "vpcId": generator.VpcId = Scalar(value, key); break;
                case "imageId": generator.ImageId = Scalar(value, key); break;
            }
        });
        return hasCount ? generator : throw Error(node, "generate entry is missing 'count'");
    }

    private FleetAutoScalingGroup ReadGroup(YamlNode node)
    {
        var group = new FleetAutoScalingGroup { Name = "" };
        string? name = null;
        ForEachKey(node, "Auto Scaling group", GroupKeys, (key, value) =>
        {
            switch (key)
            {
                case "name": name = Scalar(value, key); break;
                case "minSize": group.MinSize = Int(value, key, 0, 100_000); break;
                case "maxSize": group.MaxSize = Int(value, key, 0, 100_000); break;
                case "desiredCapacity": group.DesiredCapacity = Int(value, key, 0, 100_000); break;
                case "healthCheckGracePeriod": group.HealthCheckGracePeriod = Int(value, key, 0, 7 * 24 * 3600); break;
                case "healthCheckType": group.HealthCheckType = Scalar(value, key); break;
                case "zones":
                    foreach (var zone in Sequence(value, key))
                    {
                        group.Zones.Add(Scalar(zone, "zone"));
                    }

                    break;
                case "suspendedProcesses":
                    foreach (var process in Sequence(value, key))
                    {
                        group.SuspendedProcesses.Add(Scalar(process, "process"));
                    }

                    break;
                case "tags": CopyMap(value, key, group.Tags); break;
            }
        });
        group.Name = name ?? throw Error(node, "Auto Scaling group is missing 'name'");
        return group;
    }

    private FleetSite ReadSite(YamlNode node)
    {
        var site = new FleetSite();
        ForEachKey(node, "site", SiteKeys, (key, value) =>
        {
            switch (key)
            {
                case "port": site.Port = Int(value, key, 0, 65535); break;
                case "services":
                    if (value is not YamlMappingNode services) throw Error(value, "'services' must be a mapping of name to {tag: KEY=VALUE, minHealthy: N}");
                    foreach (var (nameNode, spec) in services.Children)
                    {
                        var name = Scalar(nameNode, "service name");
                        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) throw Error(nameNode, $"service name '{name}' must be letters, digits, - and _");
                        string? tag = null;
                        var min = 1;
                        ForEachKey(spec, "service", ServiceKeys, (k, v) =>
                        {
                            switch (k)
                            {
                                case "tag": tag = Scalar(v, k); break;
                                case "minHealthy": min = Int(v, k, 0, 1_000_000); break;
                            }
                        });
                        var equals = tag?.IndexOf('=') ?? -1;
                        if (tag is null || equals <= 0) throw Error(spec, $"service '{name}' needs tag: KEY=VALUE (the tag its instances carry)");
                        site.Services[name] = new FleetSiteService(tag[..equals], tag[(equals + 1)..], min);
                    }

                    break;
            }
        });
        return site;
    }

    private FleetSubnet ReadSubnet(YamlNode node)
    {
        string? id = null, zone = null, vpc = null, cidr = null;
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        ForEachKey(node, "subnet", SubnetKeys, (key, value) =>
        {
            switch (key)
            {
                case "id": id = Scalar(value, key); break;
                case "zone": zone = Scalar(value, key); break;
                case "vpcId": vpc = Scalar(value, key); break;
                case "cidr":
                    cidr = Scalar(value, key);
                    if (!Ec2.Network.Cidr.TryParse(cidr, out _)) throw Error(value, $"'{cidr}' is not an IPv4 CIDR block such as 10.0.1.0/24");
                    break;
                case "tags": CopyMap(value, key, tags); break;
            }
        });
        var subnet = new FleetSubnet
        {
            Id = id ?? throw Error(node, "subnet is missing 'id'"),
            Zone = zone ?? throw Error(node, "subnet is missing 'zone'"),
            Cidr = cidr,
        };
        if (vpc is not null) subnet.VpcId = vpc;
        foreach (var (k, v) in tags) subnet.Tags[k] = v;
        return subnet;
    }

    private FleetBucket ReadBucket(YamlNode node)
    {
        var bucket = new FleetBucket { Name = "" };
        string? name = null;
        YamlNode? policyNode = null;
        ForEachKey(node, "bucket", BucketKeys, (key, value) =>
        {
            switch (key)
            {
                case "name":
                    name = Scalar(value, key);
                    Check(value, FleetRules.BucketNameError(name));
                    break;
                case "policy":
                    bucket.Policy = value is YamlScalarNode ? Scalar(value, key) : ToJson(value);
                    policyNode = value;
                    break;
                case "tags": CopyMap(value, key, bucket.Tags); break;
                case "objects": CopyMap(value, key, bucket.Objects); break;
                case "blockPublicAccess": bucket.BlockPublicAccess = Bool(value, key); break;
                case "owner":
                    bucket.Owner = Scalar(value, key);
                    Check(value, FleetRules.AccountError(bucket.Owner));
                    break;
            }
        });
        bucket.Name = name ?? throw Error(node, "bucket is missing 'name'");
        if (policyNode is not null) Check(policyNode, FleetRules.PolicyError(bucket.Policy!, bucket.Name));
        return bucket;
    }

    private void ForEachKey(YamlNode node, string what, string[] known, Action<string, YamlNode> handle)
    {
        if (node is not YamlMappingNode mapping)
        {
            throw Error(node, $"{what} must be a mapping");
        }

        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = Scalar(keyNode, "key");
            if (!known.Contains(key, StringComparer.Ordinal))
            {
                throw Error(keyNode, $"unknown key '{key}' in {what}; known keys: {string.Join(", ", known)}");
            }

            handle(key, value);
        }
    }

    private IEnumerable<YamlNode> Sequence(YamlNode node, string what) =>
        node switch
        {
            YamlSequenceNode sequence => sequence.Children,
            YamlScalarNode { Value: null or "" or "~" or "null" } => [],
            _ => throw Error(node, $"'{what}' must be a list"),
        };

    private string Scalar(YamlNode node, string what) =>
        node is YamlScalarNode { Value: { } value } ? value : throw Error(node, $"'{what}' must be a single value");

    private bool Bool(YamlNode node, string what) =>
        Scalar(node, what) switch
        {
            "true" or "True" or "TRUE" or "yes" => true,
            "false" or "False" or "FALSE" or "no" => false,
            var other => throw Error(node, $"'{what}' must be true or false, not '{other}'"),
        };

    private int Int(YamlNode node, string what, int min, int max)
    {
        var text = Scalar(node, what);
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw Error(node, $"'{what}' must be a whole number between {min} and {max}, not '{text}'");
    }

    private DateTimeOffset Time(YamlNode node, string what)
    {
        var text = Scalar(node, what);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value.ToUniversalTime()
            : throw Error(node, $"'{what}' must be an ISO 8601 time, not '{text}'");
    }

    private void CopyMap(YamlNode node, string what, Dictionary<string, string> target)
    {
        if (node is not YamlMappingNode mapping)
        {
            throw Error(node, $"'{what}' must be a mapping");
        }

        foreach (var (key, value) in mapping.Children)
        {
            target[Scalar(key, what + " key")] = value is YamlScalarNode { Value: null } ? "" : Scalar(value, what + " value");
        }
    }

    /// <summary>Lets a policy be written as YAML; every scalar becomes a JSON string, as IAM expects.</summary>
    private string ToJson(YamlNode node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, node);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());

        void Write(Utf8JsonWriter writer, YamlNode current)
        {
            switch (current)
            {
                case YamlMappingNode mapping:
                    writer.WriteStartObject();
                    foreach (var (key, value) in mapping.Children)
                    {
                        writer.WritePropertyName(Scalar(key, "policy key"));
                        Write(writer, value);
                    }

                    writer.WriteEndObject();
                    break;
                case YamlSequenceNode sequence:
                    writer.WriteStartArray();
                    foreach (var item in sequence.Children)
                    {
                        Write(writer, item);
                    }

                    writer.WriteEndArray();
                    break;
                default:
                    writer.WriteStringValue(Scalar(current, "policy value"));
                    break;
            }
        }
    }

    private void Check(YamlNode node, string? error)
    {
        if (error is not null)
        {
            throw Error(node, error);
        }
    }

    private FleetException Error(YamlNode node, string message) =>
        new(_source, (int)node.Start.Line, (int)node.Start.Column, message);

    private static string Clean(string message)
    {
        var paren = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line", StringComparison.Ordinal) && paren >= 0 ? message[(paren + 3)..] : message;
    }
}
