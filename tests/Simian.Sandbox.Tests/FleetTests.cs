namespace Simian.Sandbox.Tests;

public sealed class FleetTests
{
    private const string Example = """
        account: "123456789012"
        region: us-east-1
        identities: [{accessKeyId: AKIASANDBOX, secretAccessKey: sandbox-secret, arn: "arn:aws:sts::123456789012:assumed-role/GameDay/simian", userId: "AROAEXAMPLE:simian"}]
        instances:
          - {id: i-0abc0000000000001, type: t3.micro, zone: us-east-1a, state: running, spot: false, vpcId: vpc-1, subnetId: subnet-1, tags: {app: web, chaos: opt-in, "aws:autoscaling:groupName": web-asg}}
          - {id: i-0abc0000000000002, state: stopped, spot: true}
        generate:
          - {count: 10, type: t3.small, zones: [us-east-1a, us-east-1b, us-east-1c], tags: {app: web, chaos: opt-in}, asgs: 3}
        buckets:
          - {name: site-assets, tags: {chaos: opt-in}, policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site-assets/*"}]}', objects: {index.html: "<h1>hi</h1>"}}
        """;

    [Fact]
    public void Parses_the_documented_example()
    {
        var fleet = Fleet.Parse(Example);

        Assert.Equal("123456789012", fleet.Account);
        var identity = Assert.Single(fleet.Identities);
        Assert.Equal("AKIASANDBOX", identity.AccessKeyId);
        Assert.Equal("AROAEXAMPLE:simian", identity.UserId);
        Assert.Equal(2, fleet.Instances.Count);
        Assert.Equal("web-asg", fleet.Instances[0].Tags["aws:autoscaling:groupName"]);
        Assert.True(fleet.Instances[1].Spot);
        Assert.Equal("stopped", fleet.Instances[1].State);
        Assert.Equal(10, fleet.Generate.Single().Count);
        Assert.Equal("<h1>hi</h1>", fleet.Buckets.Single().Objects["index.html"]);
        Assert.StartsWith("{\"Version\"", fleet.Buckets.Single().Policy, StringComparison.Ordinal);
        Assert.Equal(12, fleet.ExpandInstances().Count());
    }

    [Fact]
    public void Generated_instances_are_deterministic_and_spread_over_zones_and_asgs()
    {
        var first = Fleet.Parse(Example).ExpandInstances().Skip(2).ToList();
        var second = Fleet.Parse(Example).ExpandInstances().Skip(2).ToList();

        Assert.Equal(first.Select(i => i.Id), second.Select(i => i.Id));
        Assert.Equal("i-00100000000000000", first[0].Id);
        Assert.Equal(19, first[0].Id.Length);
        Assert.Equal(["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1a"], first.Take(4).Select(i => i.Zone));
        Assert.Equal(["web-asg-01", "web-asg-02", "web-asg-03", "web-asg-01"], first.Take(4).Select(i => i.Tags["aws:autoscaling:groupName"]));
        Assert.All(first, i => Assert.Equal("opt-in", i.Tags["chaos"]));
        Assert.Equal(first.Count, first.Select(i => i.PrivateIpAddress).Distinct().Count());
    }

    [Fact]
    public void A_policy_may_be_written_as_yaml()
    {
        var fleet = Fleet.Parse("""
            buckets:
              - name: site-assets
                policy:
                  Version: "2012-10-17"
                  Statement:
                    - Effect: Deny
                      Principal: "*"
                      Action: [s3:GetObject]
                      Resource: arn:aws:s3:::site-assets/*
            """);

        Assert.Equal(
            """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::site-assets/*"}]}""",
            fleet.Buckets.Single().Policy);
    }

    [Theory]
    [InlineData("instances:\n  - {id: i-1, colour: red}\n", "fleet.yaml:2:15: error: unknown key 'colour' in instance; known keys: id, type")]
    [InlineData("instances:\n  - {id: i-1, state: napping}\n", "fleet.yaml:2:22: error: unknown instance state 'napping'")]
    [InlineData("instances:\n  - {id: web-1}\n", "fleet.yaml:2:10: error: instance id 'web-1' must start with 'i-'")]
    [InlineData("instances:\n  - {id: i-1}\n  - {id: i-1}\n", "fleet.yaml:3:5: error: instance id 'i-1' is listed twice")]
    [InlineData("instances:\n  - {type: t3.micro}\n", "fleet.yaml:2:5: error: instance is missing 'id'")]
    [InlineData("account: 42\n", "fleet.yaml:1:10: error: account '42' must be 12 digits")]
    [InlineData("generate:\n  - {count: lots}\n", "fleet.yaml:2:13: error: 'count' must be a whole number")]
    [InlineData("buckets:\n  - {name: Bad_Name}\n", "fleet.yaml:2:12: error: bucket name 'Bad_Name' is not a valid S3 bucket name")]
    [InlineData("buckets:\n  - {name: ok-bucket, policy: '{nope'}\n", "fleet.yaml:2:31: error: invalid bucket policy")]
    [InlineData("instances: {id: i-1}\n", "fleet.yaml:1:12: error: 'instances' must be a list")]
    [InlineData("account: [1\n", "fleet.yaml:")]
    [InlineData("zones: []\n", "fleet.yaml:1:1: error: unknown key 'zones' in fleet; known keys: account, region")]
    public void Errors_point_at_the_offending_line_and_column(string yaml, string expected)
    {
        var error = Assert.Throws<FleetException>(() => Fleet.Parse(yaml));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_reads_a_file_and_reports_its_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fleet-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "region: eu-west-1\ninstances:\n  - {id: i-1, spot: maybe}\n");
        try
        {
            var error = Assert.Throws<FleetException>(() => Fleet.Load(path));

            Assert.StartsWith($"{path}:3:21: error: 'spot' must be true or false", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_empty_file_is_an_empty_fleet()
    {
        var fleet = Fleet.Parse("");

        Assert.Empty(fleet.Instances);
        Assert.Equal(Fleet.DefaultAccount, fleet.Account);
    }

    [Fact]
    public void Validate_catches_programmatic_mistakes()
    {
        var fleet = new Fleet();
        fleet.Instances.Add(new FleetInstance { Id = "i-1" });
        fleet.Instances.Add(new FleetInstance { Id = "i-1" });

        var error = Assert.Throws<FleetException>(fleet.Validate);

        Assert.Equal("error: instance id 'i-1' is listed twice", error.Message);
    }

    [Fact]
    public void The_sample_fleet_for_the_aws_cli_check_loads()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "awscli", "fleet.yaml");

        var fleet = Fleet.Load(path);

        Assert.Equal(52, fleet.ExpandInstances().Count());
        Assert.Equal("site-assets", fleet.Buckets.Single().Name);
    }
}
