using System.Globalization;

namespace Simian.Sandbox;

/// <summary>What the sandbox starts with: account, identities, instances and buckets.</summary>
public sealed class Fleet
{
    public const string DefaultAccount = "123456789012";

    public string Account { get; set; } = DefaultAccount;

    public string Region { get; set; } = "us-east-1";

    /// <summary>The launch time instances report unless they set their own.</summary>
    public DateTimeOffset LaunchTime { get; set; } = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public List<FleetIdentity> Identities { get; } = [];

    public List<FleetInstance> Instances { get; } = [];

    public List<FleetInstanceGenerator> Generate { get; } = [];

    public List<FleetBucket> Buckets { get; } = [];

    /// <summary>A site for probes to watch (GET /SERVICE answers 200 while enough of its instances are healthy), or none.</summary>
    public FleetSite? Site { get; set; }

    /// <summary>Subnets with settings of their own (tags, CIDR); the instances' subnets exist without being listed.</summary>
    public List<FleetSubnet> Subnets { get; } = [];

    /// <summary>Auto Scaling groups with settings of their own; tagged instances name the rest.</summary>
    public List<FleetAutoScalingGroup> AutoScalingGroups { get; } = [];

    /// <summary>Reads a fleet file; errors read <c>path:line:col: error: ...</c>.</summary>
    public static Fleet Load(string path)
    {
        string text;
        try
        {
            text = Simian.Shared.BoundedRead.Text(path, 64 * 1024 * 1024, "fleet file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FleetException(path, 1, 1, $"cannot read fleet file: {e.Message}");
        }

        return Parse(text, path);
    }

    /// <summary>Reads fleet YAML held in memory; <paramref name="sourceName"/> prefixes error messages.</summary>
    public static Fleet Parse(string yaml, string sourceName = "fleet.yaml") => FleetYamlReader.Read(yaml, sourceName);

    /// <summary>Checks the whole fleet; throws <see cref="FleetException"/> on the first problem.</summary>
    public void Validate()
    {
        Check(FleetRules.AccountError(Account));
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var identity in Identities)
        {
            if (string.IsNullOrEmpty(identity.AccessKeyId) || !keys.Add(identity.AccessKeyId))
            {
                throw new FleetException($"identity access key '{identity.AccessKeyId}' is empty or listed twice");
            }
        }

        foreach (var generator in Generate)
        {
            Check(FleetRules.CountError(generator.Count));
            Check(FleetRules.StateError(generator.State));
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instance in ExpandInstances())
        {
            Check(FleetRules.InstanceIdError(instance.Id));
            Check(FleetRules.StateError(instance.State));
            if (!ids.Add(instance.Id))
            {
                throw new FleetException($"instance id '{instance.Id}' is listed twice");
            }
        }

        var groups = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in AutoScalingGroups)
        {
            if (!groups.Add(group.Name))
            {
                throw new FleetException($"Auto Scaling group '{group.Name}' is listed twice");
            }

            Check(FleetRules.GroupError(group));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var bucket in Buckets)
        {
            Check(FleetRules.BucketNameError(bucket.Name));
            if (!names.Add(bucket.Name))
            {
                throw new FleetException($"bucket '{bucket.Name}' is listed twice");
            }

            if (bucket.Policy is not null)
            {
                Check(FleetRules.PolicyError(bucket.Policy, bucket.Name));
            }
        }
    }

    /// <summary>The listed instances followed by the generated ones, with deterministic ids and addresses.</summary>
    public IEnumerable<FleetInstance> ExpandInstances()
    {
        foreach (var instance in Instances)
        {
            yield return instance;
        }

        for (var g = 0; g < Generate.Count; g++)
        {
            var generator = Generate[g];
            var zones = generator.Zones.Count > 0 ? generator.Zones : [Region + "a"];
            var asgPrefix = generator.Tags.GetValueOrDefault("app") ?? $"gen{g + 1}";
            for (var n = 0; n < generator.Count; n++)
            {
                var zone = zones[n % zones.Count];
                var instance = new FleetInstance
                {
                    Id = GeneratedId(g, n),
                    Type = generator.Type,
                    Zone = zone,
                    State = generator.State,
                    Spot = generator.SpotEvery > 0 && (n + 1) % generator.SpotEvery == 0,
                    VpcId = generator.VpcId,
                    SubnetId = "subnet-" + zone,
                    ImageId = generator.ImageId,
                    PrivateIpAddress = string.Create(
                        CultureInfo.InvariantCulture,
                        $"10.{(((g + 1) << 4) + (n >> 16)) & 255}.{(n >> 8) & 255}.{n & 255}"),
                };
                foreach (var tag in generator.Tags)
                {
                    instance.Tags[tag.Key] = tag.Value;
                }

                if (generator.Asgs > 0)
                {
                    instance.Tags["aws:autoscaling:groupName"] =
                        string.Create(CultureInfo.InvariantCulture, $"{asgPrefix}-asg-{(n % generator.Asgs) + 1:D2}");
                }

                yield return instance;
            }
        }
    }

    /// <summary>The id of the n-th instance (0-based) of generator block g (0-based): i- and 17 hex digits.</summary>
    public static string GeneratedId(int generatorIndex, int ordinal) =>
        string.Create(CultureInfo.InvariantCulture, $"i-{generatorIndex + 1:x3}{ordinal:x14}");

    private static void Check(string? error)
    {
        if (error is not null)
        {
            throw new FleetException(error);
        }
    }
}
