using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Simian.Core;
using Simian.Sandbox;
using YamlDotNet.RepresentationModel;

namespace Simian.Cli.Tests.Deploy;

/// <summary>
/// The watchdog as shipped in deploy/kubernetes: the manifests have the shape Kubernetes needs and the safety the
/// docs promise (no Kubernetes permissions, no API token, non-root, read-only root, one Job at a time), and the
/// command and environment the CronJob gives the container really run a recover against shared state.
/// </summary>
public sealed partial class WatchdogManifestTests
{
    private static string Dir => Repo.Path("deploy", "kubernetes");

    private static List<YamlMappingNode> Documents()
    {
        var documents = new List<YamlMappingNode>();
        foreach (var file in Directory.GetFiles(Dir, "*.yaml").Order(StringComparer.Ordinal))
        {
            var stream = new YamlStream();
            using var reader = new StreamReader(file);
            stream.Load(reader);
            documents.AddRange(stream.Documents.Select(d => Assert.IsType<YamlMappingNode>(d.RootNode)));
        }
        return documents;
    }

    private static YamlNode At(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            var map = Assert.IsType<YamlMappingNode>(node);
            Assert.True(map.Children.TryGetValue(new YamlScalarNode(key), out var next), $"missing '{key}' in {string.Join(".", path)}");
            node = next!;
        }
        return node;
    }

    private static string Text(YamlNode node, params string[] path) => Assert.IsType<YamlScalarNode>(At(node, path)).Value!;

    private static YamlMappingNode Kind(List<YamlMappingNode> documents, string kind) =>
        Assert.Single(documents, d => Text(d, "kind") == kind);

    [GeneratedRegex(@"^(\S+\s+){4}\S+$")]
    private static partial Regex CronSchedule();

    [Fact]
    public void The_manifests_have_the_shape_and_the_safety_the_docs_promise()
    {
        var documents = Documents();
        foreach (var d in documents)
        {
            Assert.False(string.IsNullOrEmpty(Text(d, "apiVersion")));
            Assert.False(string.IsNullOrEmpty(Text(d, "kind")));
        }
        // No Kubernetes permissions: nothing grants the service account a role.
        Assert.DoesNotContain(documents.Where(d => d.Children.ContainsKey(new YamlScalarNode("kind"))), d => Text(d, "kind").Contains("Role", StringComparison.Ordinal));

        var account = Kind(documents, "ServiceAccount");
        Assert.Equal("v1", Text(account, "apiVersion"));
        Assert.Equal("false", Text(account, "automountServiceAccountToken"));
        Assert.StartsWith("arn:aws:iam::", Text(account, "metadata", "annotations", "eks.amazonaws.com/role-arn"));

        var cron = Kind(documents, "CronJob");
        Assert.Equal("batch/v1", Text(cron, "apiVersion"));
        Assert.Equal(Text(account, "metadata", "namespace"), Text(cron, "metadata", "namespace"));
        Assert.Matches(CronSchedule(), Text(cron, "spec", "schedule"));
        Assert.Equal("Forbid", Text(cron, "spec", "concurrencyPolicy"));
        var pod = At(cron, "spec", "jobTemplate", "spec", "template", "spec");
        Assert.Equal(Text(account, "metadata", "name"), Text(pod, "serviceAccountName"));
        Assert.Equal("false", Text(pod, "automountServiceAccountToken"));
        Assert.Contains(Text(pod, "restartPolicy"), new[] { "Never", "OnFailure" });
        Assert.Equal("true", Text(pod, "securityContext", "runAsNonRoot"));
        var container = Assert.IsType<YamlMappingNode>(Assert.Single(Assert.IsType<YamlSequenceNode>(At(pod, "containers")).Children));
        Assert.False(string.IsNullOrEmpty(Text(container, "image")));
        Assert.Equal("true", Text(container, "securityContext", "readOnlyRootFilesystem"));
        Assert.Equal("false", Text(container, "securityContext", "allowPrivilegeEscalation"));
        var args = Assert.IsType<YamlSequenceNode>(At(container, "args")).Children.Select(a => ((YamlScalarNode)a).Value!).ToList();
        Assert.Equal("recover", args[0]);
        var env = Env(container);
        Assert.StartsWith("s3://", env["SIMIAN_STATE"]);
        // Every mount names a volume the pod has, and the state folder lives on one (the root is read-only).
        var volumes = Assert.IsType<YamlSequenceNode>(At(pod, "volumes")).Children.Select(v => Text(v, "name")).ToHashSet();
        var mounts = Assert.IsType<YamlSequenceNode>(At(container, "volumeMounts")).Children.ToDictionary(m => Text(m, "mountPath"), m => Text(m, "name"));
        Assert.All(mounts.Values, name => Assert.Contains(name, volumes));
        Assert.Contains(mounts.Keys, path => env["SIMIAN_STATE_DIR"].StartsWith(path + "/", StringComparison.Ordinal));

        // Every resource the kustomization lists is here.
        var kustomization = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Dir, "kustomization.yaml"))) kustomization.Load(reader);
        foreach (var resource in Assert.IsType<YamlSequenceNode>(At(kustomization.Documents[0].RootNode, "resources")).Children)
        {
            Assert.True(File.Exists(Path.Combine(Dir, ((YamlScalarNode)resource).Value!)), $"kustomization lists {resource}, which is missing");
        }

        // The image is the AOT binary alone, as a non-root user.
        var dockerfile = File.ReadAllLines(Path.Combine(Dir, "Dockerfile"));
        var final = dockerfile.Last(l => l.StartsWith("FROM ", StringComparison.Ordinal));
        Assert.Contains("runtime-deps", final);
        Assert.Contains(dockerfile, l => l.StartsWith("USER ", StringComparison.Ordinal) && !l.Contains("root", StringComparison.Ordinal));
        Assert.Contains(dockerfile, l => l.Contains("PublishAot=true", StringComparison.Ordinal));
        Assert.Contains("ENTRYPOINT [\"/usr/local/bin/simian\"]", dockerfile);
    }

    private static Dictionary<string, string> Env(YamlNode container) =>
        Assert.IsType<YamlSequenceNode>(At(container, "env")).Children.ToDictionary(e => Text(e, "name"), e => Text(e, "value"));

    /// <summary>The container's args and environment, as the CronJob gives them, recover from a shared state (here, the sandbox's S3).</summary>
    [Fact]
    public async Task The_cronjobs_command_runs_a_recover_against_shared_state()
    {
        var cron = Kind(Documents(), "CronJob");
        var container = Assert.IsType<YamlSequenceNode>(At(cron, "spec", "jobTemplate", "spec", "template", "spec", "containers")).Children[0];
        var args = Assert.IsType<YamlSequenceNode>(At(container, "args")).Children.Select(a => ((YamlScalarNode)a).Value!).ToArray();
        var env = Env(container);

        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Fleet = TestFleets.Sample() });
        var bucket = env["SIMIAN_STATE"]["s3://".Length..].Split('/')[0];
        using (var s3 = new AmazonS3Client(new BasicAWSCredentials("AKIASIMIANGAMEDAY", "sandbox-game-day-secret"), new AmazonS3Config
        {
            ServiceURL = sandbox.Endpoint.ToString(), AuthenticationRegion = "us-east-1", ForcePathStyle = true,
        }))
        {
            await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket });
        }
        using var cli = new TestCli(env: new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = "AKIASIMIANGAMEDAY",
            ["AWS_SECRET_ACCESS_KEY"] = "sandbox-game-day-secret",
            ["AWS_REGION"] = env["AWS_REGION"],
            ["SIMIAN_STATE"] = env["SIMIAN_STATE"],
            ["SIMIAN_STATE_ENDPOINT"] = sandbox.Endpoint.ToString(),
        });
        var result = await cli.RunAsync(args);
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.True(System.Text.Json.JsonDocument.Parse(result.Stdout).RootElement.GetProperty("complete").GetBoolean());
    }
}
