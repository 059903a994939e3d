using System.Text.Json;
using Simian.Sandbox.Tests.TestSupport;
using Xunit.Abstractions;

namespace Simian.Sandbox.Tests.AwsCli;

/// <summary>
/// The sandbox must also satisfy botocore's signing and parsing (aws-cli v2 from Debian, and a pip v1 when one is
/// on PATH). Without aws-cli the test passes vacuously, except under CI=true, where it must be installed.
/// </summary>
public sealed class AwsCliTests(ITestOutputHelper output)
{
    private const string Key = "AKIASANDBOX";
    private const string Secret = "sandbox-secret";
    private const string Policy =
        """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site-assets/secret/*","Condition":{"StringNotLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/Nobody"}}}]}""";

    public static TheoryData<string> Clis()
    {
        var data = new TheoryData<string>();
        var installed = TestSupport.AwsCli.Installed();
        if (installed.Count == 0)
        {
            data.Add(TestSupport.AwsCli.Missing);
        }

        foreach (var path in installed)
        {
            data.Add(path);
        }

        return data;
    }

    private static Fleet CliFleet() => Fleet.Parse($$$"""
        account: "123456789012"
        identities: [{accessKeyId: {{{Key}}}, secretAccessKey: {{{Secret}}}, arn: "arn:aws:sts::123456789012:assumed-role/GameDay/simian", userId: "AROAEXAMPLE:simian"}]
        instances:
          - {id: i-0abc0000000000001, zone: us-east-1a, tags: {app: web, chaos: opt-in}}
          - {id: i-0abc0000000000002, zone: us-east-1b, spot: true, tags: {app: batch}}
        buckets:
          - name: site-assets
            policy: '{{{Policy}}}'
            objects: {index.html: "<h1>hi</h1>", "secret/key.txt": "s3cr3t", "dir/a b+c.txt": "odd"}
        """);

    [ToolTheory(Tools.AwsCli)]
    [MemberData(nameof(Clis))]
    public async Task Aws_cli_reads_and_changes_the_sandbox(string cli)
    {
        if (cli == TestSupport.AwsCli.Missing)
        {
            Assert.False(
                string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase),
                "aws-cli is required under CI=true: apt-get install -y awscli");
            output.WriteLine("aws-cli is not installed; nothing to check outside CI.");
            return;
        }

        await using var sandbox = await SandboxHarness.StartAsync(CliFleet(), o => new SandboxOptions { Fleet = o.Fleet, RequireKnownKeys = true });
        async Task<string> Run(params string[] args)
        {
            var (exit, stdout, stderr) = await TestSupport.AwsCli.RunAsync(cli, sandbox.Endpoint, Key, Secret, args);
            output.WriteLine($"$ aws {string.Join(' ', args)} -> {exit}\n{stdout}{stderr}");
            Assert.True(exit == 0, $"aws {string.Join(' ', args)} exited {exit}: {stderr}");
            return stdout;
        }

        using (var described = JsonDocument.Parse(await Run("ec2", "describe-instances", "--filters", "Name=tag:chaos,Values=opt-in")))
        {
            var ids = described.RootElement.GetProperty("Reservations").EnumerateArray()
                .SelectMany(r => r.GetProperty("Instances").EnumerateArray())
                .Select(i => i.GetProperty("InstanceId").GetString())
                .ToList();
            Assert.Equal(["i-0abc0000000000001"], ids);
        }

        using (var policy = JsonDocument.Parse(await Run("s3api", "get-bucket-policy", "--bucket", "site-assets")))
        {
            Assert.Equal(Policy, policy.RootElement.GetProperty("Policy").GetString());
        }

        using (var identity = JsonDocument.Parse(await Run("sts", "get-caller-identity")))
        {
            Assert.Equal("arn:aws:sts::123456789012:assumed-role/GameDay/simian", identity.RootElement.GetProperty("Arn").GetString());
        }

        using (var listing = JsonDocument.Parse(await Run("s3api", "list-objects-v2", "--bucket", "site-assets", "--prefix", "dir/")))
        {
            Assert.Equal("dir/a b+c.txt", listing.RootElement.GetProperty("Contents")[0].GetProperty("Key").GetString());
        }

        var upload = Path.Combine(Path.GetTempPath(), $"sandbox-upload-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(upload, "uploaded by aws-cli");
        try
        {
            await Run("s3", "cp", upload, "s3://site-assets/up/file.txt");
        }
        finally
        {
            File.Delete(upload);
        }

        Assert.Equal("uploaded by aws-cli"u8.ToArray(), sandbox.State.ObjectContent("site-assets", "up/file.txt"));

        await Run("ec2", "stop-instances", "--instance-ids", "i-0abc0000000000001");
        Assert.Equal("stopped", sandbox.State.InstanceState("i-0abc0000000000001"));

        var (spotExit, _, spotError) = await TestSupport.AwsCli.RunAsync(
            cli, sandbox.Endpoint, Key, Secret, "ec2", "stop-instances", "--instance-ids", "i-0abc0000000000002");
        Assert.NotEqual(0, spotExit);
        Assert.Contains("UnsupportedOperation", spotError, StringComparison.Ordinal);

        var (deniedExit, _, deniedError) = await TestSupport.AwsCli.RunAsync(
            cli, sandbox.Endpoint, Key, Secret, "s3api", "get-object", "--bucket", "site-assets", "--key", "secret/key.txt", "/dev/null");
        Assert.NotEqual(0, deniedExit);
        Assert.Contains("AccessDenied", deniedError, StringComparison.Ordinal);

        var (badExit, _, badError) = await TestSupport.AwsCli.RunAsync(cli, sandbox.Endpoint, Key, "wrong-secret", "sts", "get-caller-identity");
        Assert.NotEqual(0, badExit);
        Assert.Contains("SignatureDoesNotMatch", badError, StringComparison.Ordinal);
    }

    /// <summary>
    /// A zone's network cut by hand, as network-blackhole does it, with botocore parsing every answer: the subnets of
    /// a zone, a new network ACL tagged with the run, the subnet moved onto it and back, the ACL deleted.
    /// </summary>
    [ToolTheory(Tools.AwsCli)]
    [MemberData(nameof(Clis))]
    public async Task Aws_cli_reads_subnets_and_moves_a_subnet_onto_a_network_acl_and_back(string cli)
    {
        if (cli == TestSupport.AwsCli.Missing)
        {
            Assert.False(
                string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase),
                "aws-cli is required under CI=true: apt-get install -y awscli");
            return;
        }

        await using var sandbox = await SandboxHarness.StartAsync(CliFleet(), o => new SandboxOptions { Fleet = o.Fleet, RequireKnownKeys = true });
        async Task<JsonElement> Run(params string[] args)
        {
            var (exit, stdout, stderr) = await TestSupport.AwsCli.RunAsync(cli, sandbox.Endpoint, Key, Secret, args);
            output.WriteLine($"$ aws {string.Join(' ', args)} -> {exit}\n{stdout}{stderr}");
            Assert.True(exit == 0, $"aws {string.Join(' ', args)} exited {exit}: {stderr}");
            return stdout.Length == 0 ? default : JsonDocument.Parse(stdout).RootElement.Clone();
        }

        var subnets = (await Run("ec2", "describe-subnets", "--filters", "Name=availability-zone,Values=us-east-1a")).GetProperty("Subnets");
        var subnet = Assert.Single(subnets.EnumerateArray()).GetProperty("SubnetId").GetString()!;
        var before = (await Run("ec2", "describe-network-acls", "--filters", $"Name=association.subnet-id,Values={subnet}")).GetProperty("NetworkAcls")[0];
        Assert.True(before.GetProperty("IsDefault").GetBoolean());
        var association = before.GetProperty("Associations").EnumerateArray()
            .Single(a => a.GetProperty("SubnetId").GetString() == subnet).GetProperty("NetworkAclAssociationId").GetString()!;

        var acl = (await Run("ec2", "create-network-acl", "--vpc-id", before.GetProperty("VpcId").GetString()!,
            "--tag-specifications", "ResourceType=network-acl,Tags=[{Key=simian:run,Value=cli-run}]")).GetProperty("NetworkAcl").GetProperty("NetworkAclId").GetString()!;
        await Run("ec2", "create-network-acl-entry", "--network-acl-id", acl, "--rule-number", "100", "--protocol", "-1",
            "--rule-action", "allow", "--ingress", "--cidr-block", "10.9.0.7/32");
        var moved = (await Run("ec2", "replace-network-acl-association", "--association-id", association, "--network-acl-id", acl))
            .GetProperty("NewAssociationId").GetString()!;
        Assert.False(sandbox.State.SubnetReachable(subnet));
        var tagged = (await Run("ec2", "describe-network-acls", "--filters", "Name=tag:simian:run,Values=cli-run")).GetProperty("NetworkAcls");
        Assert.Equal(acl, Assert.Single(tagged.EnumerateArray()).GetProperty("NetworkAclId").GetString());

        await Run("ec2", "replace-network-acl-association", "--association-id", moved, "--network-acl-id", before.GetProperty("NetworkAclId").GetString()!);
        await Run("ec2", "delete-network-acl", "--network-acl-id", acl);
        Assert.True(sandbox.State.SubnetReachable(subnet));
        Assert.Equal(before.GetProperty("NetworkAclId").GetString(), sandbox.State.SubnetAcls()[subnet]);
    }
}
