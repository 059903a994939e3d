using Simian.Sandbox;

namespace Simian.Testing;

/// <summary>
/// Sandbox fleets the tests share: an assumed-role caller, a second (user) identity, varied instances and, in
/// <see cref="Extended"/>, buckets.
/// </summary>
public static class TestFleets
{
    public const string Account = "123456789012";
    public const string GameDayKey = "AKIASANDBOXGAMEDAY";
    public const string GameDaySecret = "gameday-secret";
    public const string GameDayArn = "arn:aws:sts::123456789012:assumed-role/GameDay/simian";
    public const string GameDayRoleArn = "arn:aws:iam::123456789012:role/GameDay";
    public const string DevKey = "AKIASANDBOXDEV";
    public const string DevSecret = "dev-secret";
    public const string DevArn = "arn:aws:iam::123456789012:user/dev";

    /// <summary>The two identities and six instances (no buckets): what the sandbox's own tests count and filter on.</summary>
    /// <summary>samples/fleets/sandbox-fleet.yaml, its site on a free port (never the sample's fixed one: tests run side by side).</summary>
    public static Fleet Sample()
    {
        var fleet = Fleet.Load(Repo.Path("samples", "fleets", "sandbox-fleet.yaml"));
        if (fleet.Site is not null) fleet.Site.Port = 0;
        return fleet;
    }

    public static Fleet Standard()
    {
        var fleet = new Fleet { Account = Account, Region = "us-east-1" };
        fleet.Identities.Add(new FleetIdentity
        {
            AccessKeyId = GameDayKey,
            SecretAccessKey = GameDaySecret,
            Arn = GameDayArn,
            UserId = "AROAGAMEDAY:simian",
        });
        fleet.Identities.Add(new FleetIdentity
        {
            AccessKeyId = DevKey,
            SecretAccessKey = DevSecret,
            Arn = DevArn,
            UserId = "AIDADEVUSER",
        });
        fleet.Instances.Add(Instance("i-0000000000000web1", "us-east-1a", "t3.micro", "running", spot: false, ("app", "web"), ("chaos", "opt-in")));
        fleet.Instances.Add(Instance("i-0000000000000web2", "us-east-1b", "t3.micro", "running", spot: false, ("app", "web"), ("chaos", "opt-in")));
        fleet.Instances.Add(Instance("i-0000000000000api1", "us-east-1a", "m5.large", "running", spot: false, ("app", "api")));
        fleet.Instances.Add(Instance("i-000000000000spot1", "us-east-1c", "c5.xlarge", "running", spot: true, ("app", "batch"), ("chaos", "opt-in")));
        fleet.Instances.Add(Instance("i-00000000000000off", "us-east-1b", "t3.micro", "stopped", spot: false, ("app", "web")));
        var other = Instance("i-000000000000othr1", "us-east-1a", "t3.micro", "running", spot: false);
        other.VpcId = "vpc-other";
        other.SubnetId = "subnet-other";
        fleet.Instances.Add(other);
        return fleet;
    }

    /// <summary>
    /// <see cref="Standard"/> with what the AWS provider tests select on: a Name tag on web1, an auto-scaling group
    /// on api1, a terminated instance, a team tag on the instance in the other VPC, and three buckets (site-assets,
    /// opted in and holding index.html; site-logs, opted out; billing-data, untagged).
    /// </summary>
    public static Fleet Extended()
    {
        var fleet = Standard();
        InstanceOf(fleet, "i-0000000000000web1").Tags["Name"] = "web-1";
        InstanceOf(fleet, "i-0000000000000api1").Tags["aws:autoscaling:groupName"] = "api-asg";
        var other = InstanceOf(fleet, "i-000000000000othr1");
        other.Tags["team"] = "other";
        fleet.Instances.Insert(fleet.Instances.IndexOf(other), Instance("i-0000000000000dead", "us-east-1a", "t3.micro", "terminated", spot: false, ("app", "web")));

        var assets = new FleetBucket { Name = "site-assets", Tags = { ["chaos"] = "opt-in" } };
        assets.Objects["index.html"] = "<h1>hi</h1>";
        fleet.Buckets.Add(assets);
        fleet.Buckets.Add(new FleetBucket { Name = "site-logs", Tags = { ["chaos"] = "no" } });
        fleet.Buckets.Add(new FleetBucket { Name = "billing-data" });
        return fleet;
    }

    /// <summary><see cref="Extended"/> with <paramref name="count"/> generated instances tagged app=fleet, over three zones and ten groups.</summary>
    public static Fleet Generated(int count)
    {
        var fleet = Extended();
        fleet.Generate.Add(new FleetInstanceGenerator
        {
            Count = count,
            Zones = { "us-east-1a", "us-east-1b", "us-east-1c" },
            Asgs = 10,
            SpotEvery = 50,
            Tags = { ["app"] = "fleet", ["chaos"] = "opt-in" },
        });
        return fleet;
    }

    public static FleetInstance Instance(string id, string zone, string type, string state, bool spot, params (string Key, string Value)[] tags)
    {
        var instance = new FleetInstance { Id = id, Zone = zone, Type = type, State = state, Spot = spot };
        foreach (var (key, value) in tags)
        {
            instance.Tags[key] = value;
        }

        return instance;
    }

    private static FleetInstance InstanceOf(Fleet fleet, string id) => fleet.Instances.Single(i => i.Id == id);
}
