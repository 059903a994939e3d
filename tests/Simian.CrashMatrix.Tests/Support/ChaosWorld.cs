using System.Diagnostics;
using Simian.Proxy;
using Simian.Sandbox;

namespace Simian.CrashMatrix.Tests.Support;

/// <summary>How a <see cref="ChaosWorld"/> is set up.</summary>
public sealed record WorldOptions
{
    /// <summary>The bucket starts with a policy (restored byte for byte) or without one (deleted again).</summary>
    public bool BucketHasPolicy { get; init; } = true;

    /// <summary>How long the sandbox's instances stay stopping/pending, which makes instance-stop's undo wait.</summary>
    public TimeSpan TransitionDelay { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// Latency added to every response on simian's links to the AWS endpoint and the proxy control API, so that
    /// each call takes a while: a crash or signal then lands between an intent and its applied, not after it.
    /// </summary>
    public TimeSpan LinkDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Runs share their state in the sandbox's S3 (bucket <see cref="ChaosWorld.StateBucket"/>): locks, heartbeat, the journal's shared copy.</summary>
    public bool SharedState { get; init; }
}

/// <summary>The whole world as the test sees it, to compare before and after.</summary>
/// <param name="Groups">Each Auto Scaling group as "suspended processes | member ids", so a replaced instance or a process left suspended shows.</param>
/// <param name="SubnetAcls">Each subnet's network ACL, and the ACLs that exist, so a subnet left blackholed or a leftover ACL shows.</param>
public sealed record WorldState(string? Policy, IReadOnlyDictionary<string, string> Instances, IReadOnlyList<string> Toxics, char Sleeper,
    IReadOnlyDictionary<string, string> Groups, string SubnetAcls)
{
    public override string ToString() =>
        $"policy {(Policy is null ? "(none)" : Policy.Length + " bytes")}, "
        + $"instances not running: [{string.Join(", ", Instances.Where(i => i.Value != "running").Select(i => $"{i.Key}={i.Value}"))}], "
        + $"toxics [{string.Join(", ", Toxics)}], sleeper {Sleeper}";
}

/// <summary>
/// Every kind of state a run can change, for real, on loopback: a `simian proxy serve` process with a proxy in
/// front of a `simian demo-server` process, an AWS sandbox (EC2 instances, an S3 bucket with or without a
/// policy) in this process, and a `sleep` process found by pid file. Everything is stopped on dispose.
/// </summary>
public sealed class ChaosWorld : IAsyncDisposable
{
    public const string ProxyName = "crash-px";

    /// <summary>The bucket shared state lives in, when <see cref="WorldOptions.SharedState"/>.</summary>
    public const string StateBucket = "crash-state";

    /// <summary>Every kind of change, in the order the crash matrix makes them.</summary>
    public static readonly string[] EveryFault = ["latency", "pause", "stop", "deny", "blackhole", "impair"];

    public static readonly IReadOnlyDictionary<string, string> Credentials = new Dictionary<string, string>
    {
        ["AWS_ACCESS_KEY_ID"] = "AKIASIMIANGAMEDAY",
        ["AWS_SECRET_ACCESS_KEY"] = "sandbox-game-day-secret",
        ["AWS_REGION"] = "us-east-1",
    };

    /// <summary>How the simian children start: with SIMIAN_DEBUG, and the machine's AWS profiles (not its AWS_* variables) hidden.</summary>
    private static readonly SimianProcessOptions ChildOptions = new() { Debug = true };

    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    private ProxyRig? _rig;
    private Process? _sleeper;
    private ProxyServer? _links;

    private ChaosWorld(WorldOptions options)
    {
        Options = options;
        Dir = Directory.CreateTempSubdirectory("simian-crash-").FullName;
        PidFile = Path.Combine(Dir, "sleeper.pid");
        Bucket = options.BucketHasPolicy ? "site-assets" : "scratch-assets";
    }

    public WorldOptions Options { get; }

    /// <summary>A private folder: state dir, profiles and journals.</summary>
    public string Dir { get; }

    public string PidFile { get; }

    public string Bucket { get; }

    public SandboxServer Sandbox { get; private set; } = null!;

    public ProxyControlClient Control { get; private set; } = null!;

    /// <summary>Where simian reaches the AWS endpoint and the proxy control API (through the slow links, if any).</summary>
    public string AwsEndpoint { get; private set; } = "";

    public string ControlUrl { get; private set; } = "";

    /// <summary>The address of the proxy in front of the demo server.</summary>
    public string ProxyListen { get; private set; } = "";

    public int SleeperPid => _sleeper!.Id;

    public WorldState Original { get; private set; } = null!;

    public static async Task<ChaosWorld> StartAsync(WorldOptions? options = null)
    {
        var world = new ChaosWorld(options ?? new WorldOptions());
        try
        {
            await world.StartPartsAsync();
            return world;
        }
        catch
        {
            await world.DisposeAsync();
            throw;
        }
    }

    private async Task StartPartsAsync()
    {
        var fleet = Fleet.Load(Repo.Path("samples", "fleets", "sandbox-fleet.yaml"));
        fleet.Site!.Port = 0; // never the sample's fixed port: worlds run side by side
        if (!Options.BucketHasPolicy)
        {
            var bucket = new FleetBucket { Name = Bucket };
            bucket.Tags["chaos"] = "opt-in";
            bucket.Objects["index.html"] = "<h1>no policy here</h1>";
            fleet.Buckets.Add(bucket);
        }
        if (Options.SharedState) fleet.Buckets.Add(new FleetBucket { Name = StateBucket });
        Sandbox = await SandboxServer.StartAsync(new SandboxOptions { Fleet = fleet, TransitionDelay = Options.TransitionDelay });

        _rig = await ProxyRig.StartAsync(Dir, ProxyName, ChildOptions);
        _sleeper = Process.Start(new ProcessStartInfo("sleep", "900") { UseShellExecute = false })!;
        File.WriteAllText(PidFile, _sleeper.Id.ToString());
        Control = _rig.Control;
        ProxyListen = _rig.Listen;
        await Wait.UntilAsync(async () => await ProxyAnswersAsync() is not null, TimeSpan.FromSeconds(30), () => "the demo server through the proxy\n" + _rig.Logs);

        AwsEndpoint = Sandbox.Endpoint.ToString().TrimEnd('/');
        ControlUrl = _rig.ControlUrl;
        if (Options.LinkDelay > TimeSpan.Zero)
        {
            _links = new ProxyServer(TimeProvider.System, new Random(1));
            AwsEndpoint = "http://" + SlowLink("aws-link", Sandbox.Endpoint.Authority);
            ControlUrl = "http://" + SlowLink("control-link", new Uri(_rig.ControlUrl).Authority);
        }
        Original = await SnapshotAsync();
        if (Original.Sleeper == 'T' || Original.Toxics.Count > 0 || Original.Instances.Count == 0)
        {
            throw new InvalidOperationException($"the world did not start clean: {Original}");
        }
    }

    /// <summary>
    /// Waits until nothing a dead run sent is still on its way: no connection open through the slow links, no request
    /// in the sandbox, and the same toxics on two reads in a row (the proxy control API runs in another process, so a
    /// request it has taken in can only be seen by what it changes). Instances are left mid-transition on purpose:
    /// recover must cope with one still stopping.
    /// </summary>
    public async Task SettleAsync()
    {
        var linkNames = new[] { "aws-link", "control-link" };
        await Wait.UntilAsync(() => Sandbox.InFlight == 0 && (_links is null || linkNames.All(n => _links.OpenConnections(n) == 0)),
            TimeSpan.FromSeconds(30), () => $"requests in flight: sandbox {Sandbox.InFlight}, links "
                + (_links is null ? "none" : string.Join(", ", linkNames.Select(n => $"{n} {_links.OpenConnections(n)}"))));
        async Task<string> Toxics() => string.Join(", ", (await Control.GetToxicsAsync(ProxyName)).Select(t => t.Name));
        var last = await Toxics();
        await Wait.UntilAsync(async () => last == (last = await Toxics()), TimeSpan.FromSeconds(30), () => $"the proxy's toxics to stop changing: {last}");
    }

    private string SlowLink(string name, string upstream)
    {
        var listen = _links!.CreateProxy(name, "127.0.0.1:0", upstream).Listen;
        _links.AddToxic(name, new ToxicSpec("slow", "latency", ToxicStream.Downstream, ProxyServer.MaxTtlMs,
            new Dictionary<string, double> { ["delayMs"] = Options.LinkDelay.TotalMilliseconds }));
        return listen;
    }

    /// <summary>
    /// A profile that touches every kind of state — latency on the proxy, a paused process, a stopped instance,
    /// a denied bucket — and then holds for <paramref name="hold"/>. With rollback: always, a run that is left
    /// alone rolls back on its own after the hold.
    /// </summary>
    public string WriteProfile(string name, string hold, string[]? order = null)
    {
        // `blackhole` only where asked for (the crash matrix's EveryFault): the signal tests count four changes.
        var steps = new Dictionary<string, string>
        {
            ["latency"] = "- {name: slow, fault: latency, target: px, params: {delay: 500ms}}",
            ["pause"] = "- {name: freeze, fault: process-pause, target: sleeper}",
            ["stop"] = "- {name: stop, fault: instance-stop, target: web}",
            ["deny"] = "- {name: deny, fault: bucket-deny, target: assets}",
            ["blackhole"] = "- {name: cut, fault: network-blackhole, target: zone-c, params: {allow: [10.0.0.7/32]}}",
            ["impair"] = "- {name: impair, fault: zone-impair, target: groups, params: {zone: us-east-1c}}",
        };
        var method = string.Join("\n  ", (order ?? ["latency", "pause", "stop", "deny"]).Select(s => steps[s]));
        var path = Path.Combine(Dir, name + ".yaml");
        File.WriteAllText(path, $$$"""
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: {{{name}}}}
            providers:
              local: {proxyControl: "{{{ControlUrl}}}", faultTtl: 2m}
              aws: {region: us-east-1, endpoint: "{{{AwsEndpoint}}}"}
            targets:
              px: {type: local:proxy, selector: {names: [{{{ProxyName}}}]}}
              sleeper: {type: local:process, selector: {pidFile: "{{{PidFile}}}"}}
              web: {type: aws:ec2:instance, selector: {tags: {app: web}, zones: [us-east-1a], states: [running]}, pick: {count: 1}}
              assets: {type: aws:s3:bucket, selector: {names: [{{{Bucket}}}]}}
              zone-c: {type: aws:ec2:subnet, selector: {zones: [us-east-1c], tags: {chaos: opt-in} } }
              groups: {type: aws:autoscaling:group, selector: {names: [api-asg-01]}}
            safety: {requireTags: {chaos: opt-in}, allowedAccounts: ["123456789012"]}
            method:
              {{{method}}}
              - {pause: {{{hold}}}}
            rollback: always
            """);
        return path;
    }

    /// <summary>Starts `simian run --yes --journal` on a profile as a real child process (with the shared state, when the world has one).</summary>
    public SimianProcess StartRun(string profile, string journal) =>
        new(ChildOptions, Dir, Options.SharedState ? SharedEnv : Credentials, "run", profile, "--yes", "--journal", journal, "--seed", "7");

    /// <summary>The credentials, and the shared state through the same (slow) link as every other AWS call.</summary>
    public IReadOnlyDictionary<string, string> SharedEnv => new Dictionary<string, string>(Credentials)
    {
        ["SIMIAN_STATE"] = $"s3://{StateBucket}/team",
        ["SIMIAN_STATE_ENDPOINT"] = AwsEndpoint,
        ["SIMIAN_STATE_LEASE"] = "4s",
    };

    /// <summary>Journal lines the shared state holds now (one object each).</summary>
    public int SharedLines() => Sandbox.State.ObjectKeys(StateBucket).Count(k => k.Contains("/events/", StringComparison.Ordinal));

    /// <summary>Objects under the shared state's <paramref name="under"/> (e.g. <c>active/</c>, <c>locks/</c>).</summary>
    public IReadOnlyList<string> SharedKeys(string under) => Sandbox.State.ObjectKeys(StateBucket).Where(k => k.StartsWith("team/" + under, StringComparison.Ordinal)).ToList();

    /// <summary>
    /// `simian recover --state …` from another machine: a state folder of its own that never saw the run, and machine
    /// locks of its own. Every unfinished run counts as dead (<c>--stale-after 0s</c>): the run here was killed.
    /// </summary>
    public Task<CliResult> RecoverElsewhereAsync(string otherStateDir)
    {
        var cli = new TestCli(env: SharedEnv, stateDir: otherStateDir);
        cli.Services = cli.Services with { LockNamespace = "another-machine" };
        return cli.RunAsync("recover", "--stale-after", "0s");
    }

    /// <summary>`simian recover` in this process, with the same credentials the run had.</summary>
    public Task<CliResult> RecoverAsync(string journal) => new TestCli(env: Credentials, stateDir: Dir).RunAsync("recover", "--journal", journal);

    public async Task<WorldState> SnapshotAsync() => new(
        Sandbox.State.BucketPolicy(Bucket),
        Sandbox.State.Instances().ToDictionary(i => i.Id, i => i.State),
        (await Control.GetToxicsAsync(ProxyName)).Select(t => t.Name).ToList(),
        SleeperState(),
        Sandbox.State.AutoScalingGroups().ToDictionary(
            g => g.Name,
            g => $"suspended [{string.Join(", ", g.SuspendedProcesses)}] | members [{string.Join(", ", g.Instances.Select(i => i.Id).Order(StringComparer.Ordinal))}] | subnets {string.Join(",", g.Subnets)}"),
        string.Join(", ", Sandbox.State.SubnetAcls().OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={s.Value}"))
            + " | acls " + string.Join(", ", Sandbox.State.NetworkAcls().Order(StringComparer.Ordinal)));

    /// <summary>
    /// What is not as it was before the run: an empty list means everything was restored. Instances that are
    /// starting again are waited for (bounded); a stopped one is a problem.
    /// </summary>
    public async Task<List<string>> ProblemsAsync()
    {
        var problems = new List<string>();
        var deadline = DateTime.UtcNow + Options.TransitionDelay * 3 + TimeSpan.FromSeconds(5);
        WorldState now;
        while (true)
        {
            now = await SnapshotAsync();
            if (!now.Instances.Any(i => i.Value == "pending") || DateTime.UtcNow > deadline) break;
            await Task.Delay(50);
        }
        if (!string.Equals(now.Policy, Original.Policy, StringComparison.Ordinal))
        {
            problems.Add($"bucket {Bucket} policy is {Show(now.Policy)}, was {Show(Original.Policy)}");
        }
        foreach (var (id, state) in Original.Instances)
        {
            if (now.Instances.GetValueOrDefault(id) != state) problems.Add($"instance {id} is {now.Instances.GetValueOrDefault(id) ?? "gone"}, was {state}");
        }
        foreach (var (group, was) in Original.Groups)
        {
            if (now.Groups.GetValueOrDefault(group) != was) problems.Add($"Auto Scaling group {group} is {now.Groups.GetValueOrDefault(group) ?? "gone"}, was {was}");
        }
        if (now.SubnetAcls != Original.SubnetAcls) problems.Add($"network ACLs are {now.SubnetAcls}, were {Original.SubnetAcls}");
        if (now.Toxics.Count > 0) problems.Add($"toxics left on {ProxyName}: {string.Join(", ", now.Toxics)}");
        if (now.Sleeper is 'T' or 't' or '?') problems.Add($"process {SleeperPid} is in state {now.Sleeper}");
        if (await ProxyAnswersAsync() is not { } latency) problems.Add($"no answer through proxy {ProxyName}");
        else if (latency > TimeSpan.FromMilliseconds(400)) problems.Add($"the proxy still adds latency: {latency.TotalMilliseconds:0}ms");
        return problems;
    }

    /// <summary>How long GET /health through the proxy took, or null without a 200.</summary>
    public async Task<TimeSpan?> ProxyAnswersAsync()
    {
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await Http.GetAsync($"http://{ProxyListen}/health");
            return response.IsSuccessStatusCode ? watch.Elapsed : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>
    /// Blocks until the world shows the change <paramref name="fault"/> makes (or, with <paramref name="undo"/>, its
    /// undo), then runs <paramref name="act"/> at once. A tight poll: each check is a memory read, a /proc read or
    /// one loopback call.
    /// </summary>
    public void WhenChanged(string fault, bool undo, TimeSpan timeout, Action act)
    {
        Func<bool> changed = fault switch
        {
            "latency" => () => Control.GetToxicsAsync(ProxyName).GetAwaiter().GetResult().Count > 0,
            "process-pause" => () => SleeperState() is 'T' or 't',
            "instance-stop" => () => Sandbox.State.Instances().Any(i => i.State is "stopping" or "stopped"),
            "bucket-deny" => () => !string.Equals(Sandbox.State.BucketPolicy(Bucket), Original.Policy, StringComparison.Ordinal),
            "network-blackhole" => () => !Sandbox.State.SubnetReachable("subnet-us-east-1c"),
            "zone-impair" => () => !Sandbox.State.AutoScalingGroup("api-asg-01")!.Subnets.Contains("subnet-us-east-1c"),
            _ => throw new ArgumentException($"no way to see the change of fault '{fault}'", nameof(fault)),
        };
        var deadline = DateTime.UtcNow + timeout;
        while (changed() == undo)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out after {timeout} waiting for the {fault} {(undo ? "undo" : "change")}");
            Thread.Yield();
        }
        act();
    }

    /// <summary>The sleeper's state letter from /proc (S sleeping, T stopped), or '?' when it is gone.</summary>
    public char SleeperState()
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{_sleeper!.Id}/stat");
            return stat[stat.LastIndexOf(')') + 2];
        }
        catch (IOException)
        {
            return '?';
        }
    }

    private static string Show(string? policy) => policy is null ? "(none)" : $"'{(policy.Length > 80 ? policy[..80] + "…" : policy)}'";

    public async ValueTask DisposeAsync()
    {
        if (_sleeper is not null)
        {
            try { _sleeper.Kill(); _sleeper.WaitForExit(5000); } catch (InvalidOperationException) { }
            _sleeper.Dispose();
        }
        if (_rig is not null) await _rig.DisposeAsync();
        if (_links is not null) await _links.DisposeAsync();
        if (Sandbox is not null) await Sandbox.DisposeAsync();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
