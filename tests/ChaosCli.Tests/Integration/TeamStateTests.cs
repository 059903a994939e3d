using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Time.Testing;
using Simian.Cli.Tests.Commands;
using Simian.Core;
using Simian.Sandbox;

namespace Simian.Cli.Tests.Integration;

/// <summary>
/// Two state folders stand for two machines sharing one S3 state (the sandbox's S3, through the real SDK): the
/// second machine cannot take the first's targets, and after the first is killed the second — which never saw the
/// run locally — recovers everything from the shared journal. The second "machine" runs in this process with machine
/// locks of its own (<see cref="CliServices.LockNamespace"/>), as a second machine's kernel would have.
/// </summary>
public sealed class TeamStateTests
{
    private const string StateBucket = "team-state";
    private const string State = "s3://team-state/game-days";

    private static Dictionary<string, string> Env(SandboxServer sandbox) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = "AKIASIMIANGAMEDAY",
        ["AWS_SECRET_ACCESS_KEY"] = "sandbox-game-day-secret",
        ["AWS_REGION"] = "us-east-1",
        ["SIMIAN_STATE"] = State,
        ["SIMIAN_STATE_ENDPOINT"] = sandbox.Endpoint.ToString().TrimEnd('/'),
        // Renewals every second, so a killed run's heartbeat is soon old.
        ["SIMIAN_STATE_LEASE"] = "4s",
    };

    private static async Task<SandboxServer> StartAsync(TimeProvider? time = null)
    {
        var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Fleet = TestFleets.Sample(), TimeProvider = time ?? TimeProvider.System });
        using var s3 = S3(sandbox, "AKIASIMIANGAMEDAY", "sandbox-game-day-secret");
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = StateBucket });
        return sandbox;
    }

    private static AmazonS3Client S3(SandboxServer sandbox, string key, string secret) => new(new BasicAWSCredentials(key, secret), new AmazonS3Config
    {
        ServiceURL = sandbox.Endpoint.ToString(), AuthenticationRegion = "us-east-1", ForcePathStyle = true, MaxErrorRetry = 0,
    });

    private static IReadOnlyList<string> Keys(SandboxServer sandbox, string under) =>
        sandbox.State.ObjectKeys(StateBucket).Where(k => k.StartsWith("game-days/" + under, StringComparison.Ordinal)).ToList();

    private static int Applied(string stateDir) =>
        Directory.Exists(Path.Combine(stateDir, "journals"))
            ? Directory.GetFiles(Path.Combine(stateDir, "journals"), "*.jsonl").Sum(f => File.ReadAllText(f).Split('\n').Count(l => l.Contains("\"event\":\"applied\"")))
            : 0;

    [Fact]
    public async Task A_second_machine_cannot_take_the_first_runs_targets_and_recovers_everything_after_SIGKILL()
    {
        await using var sandbox = await StartAsync();
        var original = sandbox.State.BucketPolicy("site-assets");
        using var first = new TestCli(env: Env(sandbox));
        using var second = new TestCli(env: Env(sandbox));
        second.Services = second.Services with { LockNamespace = "second-machine" };
        var profile = GameDayProfile.StopTwoAndDeny("team-crash", sandbox.Endpoint.ToString()).WriteTo(first.StateDir, "team.yaml");
        var copy = Path.Combine(second.StateDir, "team.yaml");
        File.Copy(profile, copy);

        List<string> stopped;
        using (var run = new SimianProcess(first.StateDir, Env(sandbox), "run", profile, "--yes"))
        {
            await Wait.UntilAsync(() => Applied(first.StateDir) == 3, TimeSpan.FromSeconds(60), () => "three changes applied\n" + run.Stderr);
            var journal = Directory.GetFiles(Path.Combine(first.StateDir, "journals"), "*.jsonl").Single();
            stopped = RunCommandTests.ReadJournal(journal).Where(e => (string?)e["event"] == "intent" && (string?)e["fault"] == "instance-stop")
                .Select(e => (string)e["resource"]!["id"]!).ToList();
            // Every line the first machine journaled is in the shared journal too (each written there right after the local file).
            await Wait.UntilAsync(() => File.ReadAllLines(journal).Length == Keys(sandbox, "runs/").Count(k => k.Contains("/events/", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(30), "the shared journal to hold every local line");

            var plan = await second.RunAsync("plan", copy);
            Assert.True(plan.ExitCode == ExitCodes.Refused, plan.ToString());
            Assert.Contains("[FAIL] sharedLocks", plan.Stdout.Replace("  ", " "));
            var refused = await second.RunAsync("run", copy, "--yes");
            Assert.True(refused.ExitCode == ExitCodes.Refused, refused.ToString());
            Assert.Contains("held by another run in progress", refused.Stderr);
            Assert.Contains(Environment.MachineName, refused.Stderr);
            var targets = await second.RunAsync("targets", copy, "--output", "json");
            var held = JsonDocument.Parse(targets.Stdout).RootElement.GetProperty("targets").EnumerateArray()
                .SelectMany(t => t.GetProperty("resources").EnumerateArray()).Count(r => r.GetProperty("heldBy").ValueKind == JsonValueKind.String);
            Assert.Equal(3, held);
            // Nothing of the refused run reached the shared state: still one unfinished run.
            Assert.Single(Keys(sandbox, "active/"));

            // A live run is left alone by a watchdog.
            var early = await second.RunAsync("recover");
            Assert.True(early.ExitCode == ExitCodes.Ok, early.ToString());
            Assert.Contains("is alive", early.Stdout);
            Assert.All(stopped, id => Assert.Equal("stopped", sandbox.State.InstanceState(id)));

            run.Signal(9);
            await run.WaitAsync(TimeSpan.FromSeconds(10));
        }
        Assert.NotEqual(original, sandbox.State.BucketPolicy("site-assets"));

        // The second machine never saw the run: it recovers from the shared journal once the heartbeat is stale.
        CliResult recover = new(-1, "", "");
        await Wait.UntilAsync(async () =>
        {
            recover = await second.RunAsync("recover", "--stale-after", "2s", "--output", "json");
            return !recover.Stdout.Contains("is alive", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(60), () => "the killed run's heartbeat to go stale\n" + recover);
        Assert.True(recover.ExitCode == ExitCodes.Ok, recover.ToString());
        var report = JsonDocument.Parse(recover.Stdout).RootElement.GetProperty("journals").EnumerateArray().Single(j => j.GetProperty("shared").GetBoolean());
        Assert.Equal("recovered", report.GetProperty("outcome").GetString());
        Assert.Equal(3, report.GetProperty("restored").GetInt32());
        Assert.All(stopped, id => Assert.Equal("running", sandbox.State.InstanceState(id)));
        Assert.Equal(original, sandbox.State.BucketPolicy("site-assets"));
        Assert.Empty(Keys(sandbox, "active/"));
        Assert.Empty(Keys(sandbox, "locks/"));
        // Recover's own events went to the shared journal too.
        var lines = Keys(sandbox, "runs/").Where(k => k.Contains("/events/", StringComparison.Ordinal))
            .Select(k => System.Text.Encoding.UTF8.GetString(sandbox.State.ObjectContent(StateBucket, k)!)).ToList();
        Assert.Equal(3, lines.Count(l => l.Contains("\"by\":\"recover\"", StringComparison.Ordinal)));

        var again = await second.RunAsync("recover");
        Assert.True(again.ExitCode == ExitCodes.Ok && again.Stdout.Contains("nothing to recover", StringComparison.Ordinal), again.ToString());
        // And now the targets are free for the second machine.
        var plan2 = await second.RunAsync("plan", copy);
        Assert.True(plan2.ExitCode == ExitCodes.Ok, plan2.ToString());
    }

    [Fact]
    public async Task A_killed_runs_bucket_deny_stops_denying_at_its_expiry_with_no_recover_at_all()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sandbox = await StartAsync(time);
        using var first = new TestCli(env: Env(sandbox));
        var profile = new GameDayProfile("deny-expiry", sandbox.Endpoint.ToString()).Assets()
            .Step("{name: deny, fault: bucket-deny, target: assets}").Step("{pause: 5m}").Yaml
            .Replace("endpoint: ", "faultTtl: 2m, endpoint: ", StringComparison.Ordinal);
        var path = first.Write("deny.yaml", profile);
        // The sample bucket is public-read: an anonymous reader is what the deny shuts out.
        using var dev = new AmazonS3Client(new AnonymousAWSCredentials(), new AmazonS3Config
        {
            ServiceURL = sandbox.Endpoint.ToString(), AuthenticationRegion = "us-east-1", ForcePathStyle = true, MaxErrorRetry = 0,
        });
        async Task<System.Net.HttpStatusCode> ReadAsync()
        {
            try
            {
                using var answer = await dev.GetObjectAsync("site-assets", "index.html");
                return answer.HttpStatusCode;
            }
            catch (AmazonS3Exception e)
            {
                return e.StatusCode;
            }
        }

        using (var run = new SimianProcess(first.StateDir, Env(sandbox), "run", path, "--yes"))
        {
            await Wait.UntilAsync(() => Applied(first.StateDir) == 1, TimeSpan.FromSeconds(60), () => "the deny applied\n" + run.Stderr);
            Assert.Contains("if simian dies: S3 stops enforcing the deny 2m after the last renewal", run.Stderr);
            run.Signal(9);
            await run.WaitAsync(TimeSpan.FromSeconds(10));
        }
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, await ReadAsync());
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, await ReadAsync());
        // Past the expiry the run wrote (2m after its last renewal, which came at most a few seconds in): S3 no longer denies.
        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(30));
        Assert.Equal(System.Net.HttpStatusCode.OK, await ReadAsync());
    }

    /// <summary>
    /// S3 unreachable before anything is changed: nothing is (exit 4). S3 refusing writes in the middle of a run: the
    /// run cannot renew its locks, stops, and rolls back from its local journal (exit 4), and says the shared journal
    /// is behind.
    /// </summary>
    [Fact]
    public async Task When_S3_is_unavailable_nothing_starts_and_a_run_under_way_rolls_back_from_its_local_journal()
    {
        await using var sandbox = await StartAsync();
        var original = sandbox.State.BucketPolicy("site-assets");
        var env = Env(sandbox);
        using var cli = new TestCli(env: env);
        var profile = GameDayProfile.StopTwoAndDeny("s3-down", sandbox.Endpoint.ToString()).WriteTo(cli.StateDir, "down.yaml");

        var closed = await cli.RunAsync("run", profile, "--yes", "--state-endpoint", $"http://127.0.0.1:{Wait.FreePort()}");
        Assert.True(closed.ExitCode == ExitCodes.Refused, closed.ToString());
        Assert.Contains("cannot read the shared state", closed.Stderr);
        Assert.Empty(Directory.Exists(Path.Combine(cli.StateDir, "journals")) ? Directory.GetFiles(Path.Combine(cli.StateDir, "journals")) : []);
        Assert.Equal(original, sandbox.State.BucketPolicy("site-assets"));

        var run = cli.RunAsync("run", profile, "--yes");
        await Wait.UntilAsync(() => Applied(cli.StateDir) == 3 || run.IsCompleted, TimeSpan.FromSeconds(60), "three changes applied");
        using (var s3 = S3(sandbox, "AKIASIMIANGAMEDAY", "sandbox-game-day-secret"))
        {
            await s3.PutBucketPolicyAsync(StateBucket, """
                {"Version":"2012-10-17","Statement":[{"Sid":"StateDown","Effect":"Deny","Principal":"*","Action":["s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::team-state/*"}]}
                """);
        }
        var result = await run.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(result.ExitCode == ExitCodes.Provider, result.ToString());
        // Whichever write meets the refusal first stops the run: a lock renewal, or a journal line (a step's end).
        Assert.True(result.Stderr.Contains("could not renew the shared locks", StringComparison.Ordinal)
            || result.Stderr.Contains("the shared journal s3://team-state/game-days/runs/", StringComparison.Ordinal), result.ToString());
        Assert.Contains("behind the local journal", result.Stderr);
        Assert.Equal(original, sandbox.State.BucketPolicy("site-assets"));
        var journal = Directory.GetFiles(Path.Combine(cli.StateDir, "journals"), "*.jsonl").Single();
        var events = RunCommandTests.ReadJournal(journal);
        Assert.Equal(3, events.Count(e => (string?)e["event"] == "undone"));
        Assert.All(events.Where(e => (string?)e["event"] == "intent" && (string?)e["fault"] == "instance-stop"),
            e => Assert.Equal("running", sandbox.State.InstanceState((string)e["resource"]!["id"]!)));
    }

    /// <summary>The team's watchdog: <c>recover --watch</c> on another machine finds the dead run by itself, and a signal ends it cleanly.</summary>
    [Fact]
    public async Task The_watchdog_recovers_a_dead_run_by_itself_and_stops_on_SIGTERM()
    {
        await using var sandbox = await StartAsync();
        var original = sandbox.State.BucketPolicy("site-assets");
        using var first = new TestCli(env: Env(sandbox));
        using var watchdogState = new TestCli(env: Env(sandbox));
        var profile = GameDayProfile.StopTwoAndDeny("watched", sandbox.Endpoint.ToString()).WriteTo(first.StateDir, "watched.yaml");
        using (var run = new SimianProcess(first.StateDir, Env(sandbox), "run", profile, "--yes"))
        {
            await Wait.UntilAsync(() => Applied(first.StateDir) == 3, TimeSpan.FromSeconds(60), () => "three changes applied\n" + run.Stderr);
            run.Signal(9);
            await run.WaitAsync(TimeSpan.FromSeconds(10));
        }
        Assert.NotEqual(original, sandbox.State.BucketPolicy("site-assets"));

        using var watchdog = new SimianProcess(watchdogState.StateDir, Env(sandbox), "recover", "--watch", "1s", "--stale-after", "3s");
        // Rounds while the heartbeat is fresh leave the run alone; the first round after recovers it and says so.
        await Wait.UntilAsync(() => watchdog.Stdout.Contains(": recovered: ", StringComparison.Ordinal) || watchdog.Process.HasExited,
            TimeSpan.FromSeconds(60), () => "the watchdog to recover the run\n" + watchdog);
        Assert.Contains(": recovered: 3 restored, 0 already clean, 0 failed", watchdog.Stdout);
        Assert.Equal(original, sandbox.State.BucketPolicy("site-assets"));
        Assert.Empty(Keys(sandbox, "active/"));
        Assert.Empty(Keys(sandbox, "locks/"));
        watchdog.Signal(15);
        var exit = await watchdog.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(exit == ExitCodes.Ok, $"exit {exit}\n{watchdog}");
    }

    /// <summary>A watchdog outlives a bad minute: S3 unreachable is reported each round, and it keeps going until stopped.</summary>
    [Fact]
    public async Task The_watchdog_keeps_going_when_S3_is_unreachable_and_says_so()
    {
        var dir = Directory.CreateTempSubdirectory("simian-watchdog-").FullName;
        try
        {
            var env = new Dictionary<string, string>
            {
                ["AWS_ACCESS_KEY_ID"] = "AKIASIMIANGAMEDAY",
                ["AWS_SECRET_ACCESS_KEY"] = "sandbox-game-day-secret",
                ["AWS_REGION"] = "us-east-1",
                ["SIMIAN_STATE"] = State,
                ["SIMIAN_STATE_ENDPOINT"] = $"http://127.0.0.1:{Wait.FreePort()}",
            };
            using var watchdog = new SimianProcess(dir, env, "recover", "--watch", "1s");
            await Wait.UntilAsync(() => watchdog.Stderr.Split("recover round failed").Length > 2 || watchdog.Process.HasExited,
                TimeSpan.FromSeconds(60), () => "two failed rounds\n" + watchdog);
            Assert.False(watchdog.Process.HasExited, watchdog.ToString());
            Assert.Contains("trying again in 1s", watchdog.Stderr);
            watchdog.Signal(15);
            // Stopped after rounds that could not finish: not green.
            Assert.Equal(ExitCodes.RollbackIncomplete, await watchdog.WaitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
