using System.Diagnostics;
using Simian.Aws.Tests.TestSupport;
using Simian.Core;

namespace Simian.Aws.Tests;

public sealed class AwsProviderTests
{
    private const string Ec2 = "aws:ec2:instance";

    [Fact]
    public void Exposes_the_aws_name_settings_and_target_types()
    {
        var provider = new AwsProvider(TimeProvider.System, _ => null);
        Assert.Equal("aws", provider.Name);
        Assert.Equal(["region", "profile", "endpoint", "faultTtl"], provider.SettingKeys);
        Assert.Equal(["aws:ec2:instance", "aws:ec2:subnet", "aws:s3:bucket", "aws:autoscaling:group"], provider.TargetTypes.Select(t => t.Name));
        Assert.Equal(["instance-stop", "instance-reboot", "instance-terminate"], provider.TargetTypes[0].Faults.Select(f => f.Name));
        Assert.Equal(["network-blackhole"], provider.TargetTypes[1].Faults.Select(f => f.Name));
        Assert.Equal(["bucket-deny"], provider.TargetTypes[2].Faults.Select(f => f.Name));
        Assert.Equal(["zone-impair"], provider.TargetTypes[3].Faults.Select(f => f.Name));
    }

    [Fact]
    public void Settings_errors_are_located_and_suggest_the_right_key()
    {
        var provider = new AwsProvider(TimeProvider.System, _ => null);
        var errors = Yaml.Errors(d => provider.ValidateSettings(Yaml.Settings("aws", "regoin: us-east-1\nendpoint: ftp://x\nregion: US East"), d));
        Assert.Contains(errors, e => e.StartsWith("1:1: ", StringComparison.Ordinal) && e.Contains("did you mean 'region'"));
        Assert.Contains(errors, e => e.StartsWith("2:11: ", StringComparison.Ordinal) && e.Contains("not an http(s) URL"));
        Assert.Contains(errors, e => e.StartsWith("3:9: ", StringComparison.Ordinal) && e.Contains("not an AWS region name"));
        Assert.Empty(Yaml.Errors(d => provider.ValidateSettings(Yaml.Settings("aws", "region: eu-west-1\nprofile: game-day\nendpoint: http://127.0.0.1:4566"), d)));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_unreachable_endpoint_fails_fast_with_a_one_line_message()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        sandbox.Settings = Yaml.Settings("aws", "region: us-east-1\nendpoint: http://127.0.0.1:1");
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ProviderException>(() => sandbox.ResolveAsync(Ec2, "tags: {app: web}"));
        Assert.StartsWith("cannot identify the caller (sts:GetCallerIdentity): cannot reach endpoint http://127.0.0.1:1/: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(ExitCodes.Provider, e.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact(Timeout = 30_000)]
    public async Task Rejected_credentials_read_as_access_denied_without_the_secret()
    {
        await using var sandbox = await AwsSandbox.StartAsync(secret: "not-the-gameday-secret");
        var e = await Assert.ThrowsAsync<ProviderException>(() => sandbox.ResolveAsync("aws:s3:bucket", "prefix: site"));
        Assert.StartsWith("cannot identify the caller (sts:GetCallerIdentity): access denied (SignatureDoesNotMatch: ", e.Message);
        Assert.DoesNotContain("not-the-gameday-secret", e.Message);
        Assert.DoesNotContain(TestFleets.GameDayKey, e.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_named_profile_comes_from_the_shared_files_with_its_region()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        var dir = Directory.CreateTempSubdirectory("simian-aws-");
        try
        {
            var credentials = Path.Combine(dir.FullName, "credentials");
            await File.WriteAllTextAsync(credentials, $"[game-day]\naws_access_key_id = {TestFleets.DevKey}\naws_secret_access_key = {TestFleets.DevSecret}\n");
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "config"), "[profile game-day]\nregion = us-east-1\n");
            // The named profile wins over the key variables, as for the AWS CLI.
            sandbox.Env["AWS_SHARED_CREDENTIALS_FILE"] = credentials;
            sandbox.Settings = Yaml.Settings("aws", $"profile: game-day\nendpoint: {sandbox.Endpoint}");

            var found = await sandbox.ResolveAsync(Ec2, "ids: [i-0000000000000web1]", sandbox.NewProvider());
            Assert.Equal("us-east-1", Assert.Single(found).Region);
            var deny = sandbox.Fault("aws:s3:bucket", "bucket-deny");
            var ctx = sandbox.Context(await sandbox.BucketAsync("site-assets"));
            var undo = await deny.CaptureAsync(ctx, AwsSandbox.Timeout());
            Assert.Contains(TestFleets.DevArn, undo["applied"]!.GetValue<string>());

            sandbox.Settings = Yaml.Settings("aws", $"profile: no-such-profile\nregion: us-east-1\nendpoint: {sandbox.Endpoint}");
            var e = await Assert.ThrowsAsync<ProviderException>(() => sandbox.ResolveAsync(Ec2, "tags: {app: web}", sandbox.NewProvider()));
            Assert.Equal("AWS profile 'no-such-profile' (from providers.aws.profile) was not found in the shared config or credentials files, or has no credentials", e.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task The_region_falls_back_to_AWS_REGION_then_AWS_DEFAULT_REGION_and_is_required()
    {
        await using var sandbox = await AwsSandbox.StartAsync();
        var dir = Directory.CreateTempSubdirectory("simian-aws-");
        try
        {
            sandbox.Env["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(dir.FullName, "credentials");
            sandbox.Settings = Yaml.Settings("aws", $"endpoint: {sandbox.Endpoint}");
            var e = await Assert.ThrowsAsync<ProviderException>(() => sandbox.ResolveAsync(Ec2, "tags: {app: web}", sandbox.NewProvider()));
            Assert.Equal("no AWS region: set providers.aws.region in the profile, AWS_REGION, or a region in the shared config file", e.Message);

            sandbox.Env["AWS_DEFAULT_REGION"] = "eu-west-1";
            Assert.All(await sandbox.ResolveAsync(Ec2, "tags: {app: web}", sandbox.NewProvider()), r => Assert.Equal("eu-west-1", r.Region));
            sandbox.Env["AWS_REGION"] = "eu-central-1";
            Assert.All(await sandbox.ResolveAsync(Ec2, "tags: {app: web}", sandbox.NewProvider()), r => Assert.Equal("eu-central-1", r.Region));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
