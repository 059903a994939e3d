using Simian.Sandbox;

namespace Simian.Aws.Tests.TestSupport;

/// <summary>Fleets the tests share: an assumed-role caller, a second (user) identity, varied instances and buckets.</summary>
internal static class TestFleets
{
    public const string Account = "123456789012";
    public const string GameDayKey = "AKIASANDBOXGAMEDAY";
    public const string GameDaySecret = "gameday-secret";
    public const string GameDayArn = "arn:aws:sts::123456789012:assumed-role/GameDay/simian";
    public const string GameDayRoleArn = "arn:aws:iam::123456789012:role/GameDay";
    public const string DevKey = "AKIASANDBOXDEV";
    public const string DevSecret = "dev-secret";
    public const string DevArn = "arn:aws:iam::123456789012:user/dev";

    public static Fleet Standard()
    {
        var fleet = new Fleet { Account = Account, Region = "us-east-1" };
        fleet.Identities.Add(new FleetIdentity { AccessKeyId = GameDayKey, SecretAccessKey = GameDaySecret, Arn = GameDayArn, UserId = "AROAGAMEDAY:simian" });
        fleet.Identities.Add(new FleetIdentity { AccessKeyId = DevKey, SecretAccessKey = DevSecret, Arn = DevArn, UserId = "AIDADEVUSER" });
        fleet.Instances.Add(Instance("i-0000000000000web1", "us-east-1a", "t3.micro", "running", false, ("app", "web"), ("chaos", "opt-in"), ("Name", "web-1")));
        fleet.Instances.Add(Instance("i-0000000000000web2", "us-east-1b", "t3.micro", "running", false, ("app", "web"), ("chaos", "opt-in")));
        fleet.Instances.Add(Instance("i-0000000000000api1", "us-east-1a", "m5.large", "running", false, ("app", "api"), ("aws:autoscaling:groupName", "api-asg")));
        fleet.Instances.Add(Instance("i-000000000000spot1", "us-east-1c", "c5.xlarge", "running", true, ("app", "batch"), ("chaos", "opt-in")));
        fleet.Instances.Add(Instance("i-00000000000000off", "us-east-1b", "t3.micro", "stopped", false, ("app", "web")));
        fleet.Instances.Add(Instance("i-0000000000000dead", "us-east-1a", "t3.micro", "terminated", false, ("app", "web")));
        var other = Instance("i-000000000000othr1", "us-east-1a", "t3.micro", "running", false, ("team", "other"));
        other.VpcId = "vpc-other";
        other.SubnetId = "subnet-other";
        fleet.Instances.Add(other);

        var assets = new FleetBucket { Name = "site-assets", Tags = { ["chaos"] = "opt-in" } };
        assets.Objects["index.html"] = "<h1>hi</h1>";
        fleet.Buckets.Add(assets);
        fleet.Buckets.Add(new FleetBucket { Name = "site-logs", Tags = { ["chaos"] = "no" } });
        fleet.Buckets.Add(new FleetBucket { Name = "billing-data" });
        return fleet;
    }

    /// <summary>A fleet of <paramref name="count"/> generated instances tagged app=web, over three zones and ten groups.</summary>
    public static Fleet Generated(int count)
    {
        var fleet = Standard();
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
        foreach (var (key, value) in tags) instance.Tags[key] = value;
        return instance;
    }
}
