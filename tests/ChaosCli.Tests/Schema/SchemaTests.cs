using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;
using Simian.Core.Profiles;
using Xunit.Abstractions;

namespace Simian.Cli.Tests.Schema;

public sealed class SchemaTests(ITestOutputHelper output)
{
    /// <summary>A small profile both the loader and the schema accept; the negative cases each break one thing in it.</summary>
    private const string Minimal = """
        apiVersion: simian/v1
        kind: Experiment
        metadata:
          name: minimal
        providers:
          local:
            proxyControl: embedded
            proxies:
              - {name: db, listen: "127.0.0.1:25001", upstream: "127.0.0.1:25101"}
        targets:
          db:
            type: local:proxy
            selector: {names: [db]}
            pick: all
        steadyState:
          probes:
            - {name: up, http: {url: "http://127.0.0.1:25999/health"}}
        method:
          - {name: slow, fault: latency, target: db, params: {delay: 300ms}, duration: 30s}
          - {pause: 10s}
        rollback: always
        """;

    private const string EveryLocalKey = """
        # yaml-language-server: $schema=../schema/simian-v1.schema.json
        apiVersion: simian/v1
        kind: Experiment
        metadata:
          name: every-local-key
          description: "Every key the core format and the local provider know"
          owner: platform-team
          labels: {tier: 1, critical: true, area: checkout}
        providers:
          local:
            proxyControl: http://127.0.0.1:8474
            faultTtl: 15s
            proxies:
              - {name: orders-db, listen: "127.0.0.1:15432", upstream: "127.0.0.1:5432"}
              - {name: cache, listen: "localhost:16379", upstream: "[::1]:6379"}
            services:
              - {name: demo, run: "simian demo-server --port 18080", ready: "http://127.0.0.1:18080/health", readyTimeout: 20s}
              - {name: db, run: "sleep 600", ready: "tcp://127.0.0.1:5432"}
        targets:
          db:
            type: local:proxy
            selector: {names: [orders-db, cache]}
            pick: {percent: 50}
          worker:
            type: local:process
            selector: {commandContains: "Worker.dll", commandRegex: "dotnet .*Worker", pidFile: ./worker.pid}
            pick: {count: 1}
          all-workers:
            type: local:process
            selector: {commandRegex: "Worker"}
            pick: all
        safety:
          maxTargets: 3
          maxPercent: 50
          requireTags: {env: staging}
          excludeTags: {critical: "true"}
          allowedRegions: [eu-west-1]
          allowedAccounts: ["123456789012"]
          window: {days: [mon, Tue, WED], start: "22:00", end: "6:00", timezone: Europe/Berlin}
          maxDuration: 1h30m
          requireApproval: true
        steadyState:
          interval: 500ms
          tolerance: 3
          abortOnDeviation: false
          probes:
            - name: api
              http: {url: "https://127.0.0.1:8443/health", expectStatus: 204, timeout: 2s, maxLatency: 250ms, method: HEAD}
            - name: queue
              command: {run: "./check-queue.sh", expectExit: 0, timeout: 5s}
        method:
          - {name: slow, fault: latency, target: db, params: {delay: 300ms, jitter: 50ms, direction: upstream}, duration: 1m}
          - {fault: blackhole, target: db, params: {direction: downstream}, duration: 10s}
          - {fault: reset, target: db, duration: 1.5s}
          - {fault: bandwidth, target: db, params: {bytesPerSecond: 65536}, duration: 30s}
          - {pause: 0.5m}
          - {name: freeze, fault: process-pause, target: worker, duration: 30s}
          - {name: term, fault: process-kill, target: worker, params: {signal: SIGTERM}, irreversible: allowed}
          - {name: kill, fault: process-kill, target: all-workers, params: {signal: 9}, irreversible: allowed}
        rollback: on-deviation
        """;

    private const string EveryAwsKey = """
        apiVersion: simian/v1
        kind: Experiment
        metadata: {name: every-aws-key}
        providers:
          aws: {region: eu-west-1, profile: chaos, endpoint: "http://127.0.0.1:4566"}
        targets:
          web:
            type: aws:ec2:instance
            selector:
              tags: {app: web, env: staging}
              tagKeys: [chaos-ok]
              ids: [i-0123456789abcdef0]
              states: [running, stopped]
              zones: [eu-west-1a, eu-west-1b]
              instanceTypes: [t3.micro]
              autoScalingGroups: [web-asg]
              vpcIds: [vpc-0123]
              subnetIds: [subnet-0123]
            pick: {count: 1, per: zone}
          fleet:
            type: aws:ec2:instance
            selector: {tags: {env: staging}}
            pick: {percent: 10, per: "tag:aws:autoscaling:groupName"}
          uploads:
            type: aws:s3:bucket
            selector: {names: [uploads-staging], prefix: uploads-, tags: {env: staging}}
        safety:
          allowedRegions: [eu-west-1]
          allowedAccounts: ["123456789012"]
          requireTags: {env: staging}
        method:
          - {name: stop, fault: instance-stop, target: web, params: {force: true}, duration: 5m}
          - {name: reboot, fault: instance-reboot, target: fleet}
          - {name: terminate, fault: instance-terminate, target: fleet, irreversible: allowed}
          - {name: deny, fault: bucket-deny, target: uploads, params: {actions: ["s3:GetObject", "s3:PutObject"]}, duration: 2m}
          - {name: deny-all, fault: bucket-deny, target: uploads, duration: 1m}
          - {name: deny-guarded, fault: bucket-deny, target: uploads, params: {exempt: ["arn:aws:iam::123456789012:role/OnCall"], denyServices: true}, duration: 1m}
        """;

    [Fact]
    public void The_schema_is_draft_2020_12_json_with_an_id_and_is_itself_a_valid_schema()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(ProfileSchema.FilePath));
        var root = document.RootElement;
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", root.GetProperty("$schema").GetString());
        Assert.True(Uri.TryCreate(root.GetProperty("$id").GetString(), UriKind.Absolute, out _), "$id must be an absolute URI");

        var meta = MetaSchemas.Draft202012.Evaluate(root, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(meta.IsValid, "the schema does not validate against the draft 2020-12 meta-schema");
        Assert.NotNull(ProfileSchema.Schema);
    }

    [Fact]
    public void Every_property_the_schema_names_has_a_description()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(ProfileSchema.FilePath));
        var missing = new List<string>();
        Walk(document.RootElement, "#", missing);
        Assert.True(missing.Count == 0, "properties without a description:\n" + string.Join("\n", missing));

        static void Walk(JsonElement schema, string path, List<string> missing)
        {
            if (schema.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var item in schema.EnumerateArray()) Walk(item, $"{path}/{i++}", missing);
                return;
            }
            if (schema.ValueKind != JsonValueKind.Object) return;
            foreach (var member in schema.EnumerateObject())
            {
                if (member.Name == "properties")
                {
                    foreach (var property in member.Value.EnumerateObject())
                    {
                        // Properties inside if-conditions only test a value; the ones users write are described where they are declared.
                        var isCondition = path.EndsWith("/if", StringComparison.Ordinal);
                        var isRefinement = path.EndsWith("/then", StringComparison.Ordinal);
                        if (!isCondition && !isRefinement && !property.Value.TryGetProperty("description", out _))
                        {
                            missing.Add($"{path}/properties/{property.Name}");
                        }
                    }
                }
                Walk(member.Value, $"{path}/{member.Name}", missing);
            }
        }
    }

    [Fact]
    public void Every_sample_and_ready_made_profile_matches_the_schema()
    {
        var loader = ProfileSchema.Loader();
        var failures = new List<string>();
        var checkedCount = 0;
        foreach (var path in ProfileFiles())
        {
            var relative = Path.GetRelativePath(Repo.Root, path);
            var loaded = loader.Load(path);
            JsonElement json;
            try
            {
                json = YamlJson.ToElement(File.ReadAllText(path));
            }
            catch (Exception e) when (e is YamlDotNet.Core.YamlException or InvalidOperationException)
            {
                if (loaded.Ok) failures.Add($"{relative}: the loader accepts it but it cannot be converted to JSON: {e.Message}");
                else output.WriteLine($"skipped {relative}: not YAML the converter reads ({e.Message})");
                continue;
            }
            if (!IsProfile(json) && !loaded.Ok)
            {
                output.WriteLine($"skipped {relative}: not a simian/v1 profile");
                continue;
            }
            checkedCount++;
            var errors = ProfileSchema.Errors(json);
            if (errors.Count > 0)
            {
                var verdict = loaded.Ok ? "the loader accepts it, the schema does not" : "rejected by the schema (and the loader)";
                failures.Add($"{relative}: {verdict}:\n  " + string.Join("\n  ", errors));
            }
        }
        output.WriteLine($"{checkedCount} profile(s) checked against the schema");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void The_starter_templates_of_simian_init_match_the_schema()
    {
        foreach (var name in Templates.Names)
        {
            var errors = ProfileSchema.Errors(Templates.Get(name));
            Assert.True(errors.Count == 0, $"template '{name}':\n" + string.Join("\n", errors));
        }
    }

    [Theory]
    [InlineData("minimal")]
    [InlineData("every-local-key")]
    public void Profiles_the_loader_accepts_match_the_schema(string which)
    {
        var yaml = which == "minimal" ? Minimal : EveryLocalKey;
        var loaded = ProfileSchema.Loader().LoadText(yaml, $"{which}.yaml");
        Assert.True(loaded.Ok, string.Join("\n", loaded.Diagnostics));
        var errors = ProfileSchema.Errors(yaml);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public void A_profile_with_every_aws_key_matches_the_schema_and_the_loader_once_aws_is_registered()
    {
        var errors = ProfileSchema.Errors(EveryAwsKey);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        var registry = ProfileSchema.Registry();
        if (registry.Provider("aws") is null) return;
        var loaded = new ProfileLoader(registry).LoadText(EveryAwsKey, "every-aws-key.yaml");
        Assert.True(loaded.Ok, "the schema accepts this AWS profile but the loader does not:\n" + string.Join("\n", loaded.Diagnostics));
    }

    public static TheoryData<string, string, string> Broken => new()
    {
        { "unknown top-level key", "rollback: always", "rollback: always\nrolback: never" },
        { "duration without a unit", "duration: 30s}", "duration: 30}" },
        { "duration in words", "duration: 30s}", "duration: 30 seconds}" },
        { "duration units out of order", "duration: 30s}", "duration: 30s1m}" },
        { "pick with both count and percent", "pick: all", "pick: {count: 1, percent: 50}" },
        { "pick with neither count nor percent", "pick: all", "pick: {per: zone}" },
        { "pick per on a local target", "pick: all", "pick: {count: 1, per: zone}" },
        { "probe with both http and command", "http: {url: \"http://127.0.0.1:25999/health\"}}", "http: {url: \"http://127.0.0.1:25999/health\"}, command: {run: \"true\"}}" },
        { "probe with neither http nor command", "{name: up, http: {url: \"http://127.0.0.1:25999/health\"}}", "{name: up}" },
        { "probe url that is not http", "http://127.0.0.1:25999/health", "ftp://127.0.0.1:25999/health" },
        { "lower-case http method", "{url: \"http://127.0.0.1:25999/health\"}", "{url: \"http://127.0.0.1:25999/health\", method: get}" },
        { "unknown rollback mode", "rollback: always", "rollback: sometimes" },
        { "missing metadata", "metadata:\n  name: minimal\n", "" },
        { "metadata name with a space", "name: minimal", "name: my experiment" },
        { "unknown target type", "type: local:proxy", "type: local:proxi" },
        { "unknown selector key", "selector: {names: [db]}", "selector: {name: [db]}" },
        { "proxy selector without names", "selector: {names: [db]}", "selector: {}" },
        { "unknown fault", "fault: latency", "fault: latency-spike" },
        { "unknown fault parameter", "params: {delay: 300ms}", "params: {delay: 300ms, jiter: 5ms}" },
        { "latency without a delay", "params: {delay: 300ms}", "params: {jitter: 5ms}" },
        { "unknown direction", "params: {delay: 300ms}", "params: {delay: 300ms, direction: sideways}" },
        { "irreversible other than allowed", "duration: 30s}", "duration: 30s, irreversible: yes}" },
        { "pause step with another key", "{pause: 10s}", "{pause: 10s, name: wait}" },
        { "method without steps", "  - {name: slow, fault: latency, target: db, params: {delay: 300ms}, duration: 30s}\n  - {pause: 10s}\n", "  []\n" },
        { "unknown day", "rollback: always", "rollback: always\nsafety: {window: {days: [monday], start: \"09:00\", end: \"17:00\"}}" },
        { "window time without minutes", "rollback: always", "rollback: always\nsafety: {window: {start: \"9\", end: \"17:00\"}}" },
        { "unknown provider setting", "proxyControl: embedded", "proxyControl: embedded\n    faultTTL: 10s" },
        { "unknown provider", "providers:\n  local:", "providers:\n  locale: {}\n  local:" },
        { "non-loopback proxy listen address", "listen: \"127.0.0.1:25001\"", "listen: \"10.0.0.1:25001\"" },
        { "wrong apiVersion", "apiVersion: simian/v1", "apiVersion: simian/v2" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void A_broken_profile_is_rejected_by_both_the_schema_and_the_loader(string what, string find, string replace)
    {
        Assert.Contains(find, Minimal);
        var yaml = Minimal.Replace(find, replace);
        var errors = ProfileSchema.Errors(yaml);
        Assert.True(errors.Count > 0, $"the schema accepts a profile with {what}:\n{yaml}");
        output.WriteLine($"{what}: {string.Join(" | ", errors)}");
        var loaded = ProfileSchema.Loader().LoadText(yaml, "broken.yaml");
        Assert.False(loaded.Ok, $"the loader accepts a profile with {what}; the schema should not be stricter than the loader");
    }

    [Theory]
    [InlineData("500ms")]
    [InlineData("30s")]
    [InlineData("5m")]
    [InlineData("1h30m")]
    [InlineData("1h30m15s250ms")]
    [InlineData("1m5ms")]
    [InlineData("1.5h")]
    [InlineData(".5s")]
    [InlineData("5.s")]
    [InlineData("1h.5m")]
    [InlineData("0s")]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("s")]
    [InlineData(".s")]
    [InlineData("30 s")]
    [InlineData("1d")]
    [InlineData("30s1m")]
    [InlineData("1s1s")]
    [InlineData("1m1h")]
    [InlineData("1ms1s")]
    [InlineData("1.5.5s")]
    [InlineData("-5s")]
    [InlineData("5sec")]
    public void The_duration_pattern_accepts_exactly_what_the_loader_parses(string text)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(ProfileSchema.FilePath));
        var pattern = document.RootElement.GetProperty("$defs").GetProperty("duration").GetProperty("pattern").GetString()!;
        var loaderAccepts = Simian.Core.Profiles.Duration.TryParse(text, out _, out _);
        Assert.Equal(loaderAccepts, Regex.IsMatch(text, pattern));
    }

    /// <summary>YAML files under samples/ and chaos-profiles/; either folder may not exist yet.</summary>
    private static IEnumerable<string> ProfileFiles() =>
        new[] { "samples", "chaos-profiles" }
            .Select(folder => Repo.Path(folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.*", SearchOption.AllDirectories))
            .Where(p => p.EndsWith(".yaml", StringComparison.Ordinal) || p.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    private static bool IsProfile(JsonElement json) =>
        json.ValueKind == JsonValueKind.Object
        && json.TryGetProperty("apiVersion", out var version)
        && version.ValueKind == JsonValueKind.String
        && version.GetString() == ProfileLoader.ApiVersion;
}
