using Simian.Core.Profiles;
using Simian.Core.Tests.Fakes;
using Simian.Core.Yaml;

namespace Simian.Core.Tests.Profiles;

public sealed class ReferenceProfileTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ReferenceWorld _world = new();

    public void Dispose() => _dir.Dispose();

    private Experiment Load()
    {
        var path = _dir.Write("api-latency.yaml", ReferenceWorld.Profile);
        var result = new ProfileLoader(_world.Registry).Load(path);
        Assert.True(result.Ok, string.Join("\n", result.Diagnostics));
        return result.Experiment!;
    }

    private static string Scalar(YMapping map, string key) => Assert.IsType<YScalar>(map.Get(key)).Value;

    [Fact]
    public void Reference_profile_loads_without_diagnostics()
    {
        var result = new ProfileLoader(_world.Registry).Load(_dir.Write("p.yaml", ReferenceWorld.Profile));

        Assert.Empty(result.Diagnostics);
        Assert.True(result.Ok);
        Assert.Equal(Path.Combine(_dir.Path, "p.yaml"), result.Experiment!.SourcePath);
    }

    [Fact]
    public void Metadata_lands_in_the_model()
    {
        var e = Load();

        Assert.Equal("api-latency", e.Name);
        Assert.Equal(new Metadata("api-latency", "...", "team-web", e.Metadata.Labels), e.Metadata);
        Assert.Equal(new Dictionary<string, string> { ["tier"] = "web" }, e.Metadata.Labels);
    }

    [Fact]
    public void Provider_settings_land_in_the_model_and_reach_the_provider()
    {
        var e = Load();

        var local = Assert.Single(e.Providers).Value;
        Assert.Equal("local", local.Provider);
        Assert.Equal("http://127.0.0.1:8474", local.Get("proxyControl"));
        Assert.Equal(5, local.Location.Line);
        Assert.Same(local, Assert.Single(_world.Local.Validated));
        Assert.Empty(_world.Aws.Validated);
    }

    [Fact]
    public void Targets_land_in_the_model_in_order_with_selector_and_pick()
    {
        var e = Load();

        Assert.Equal(["api", "worker", "web"], e.Targets.Select(t => t.Name));
        var api = e.Target("api")!;
        Assert.Equal("local:proxy", api.Type);
        Assert.Equal("local", api.Provider);
        Assert.True(api.Pick.IsAll);
        Assert.Equal("orders-db", Assert.IsType<YScalar>(Assert.Single(Assert.IsType<YSequence>(api.Selector.Get("names")).Items)).Value);
        Assert.Equal(Source.At(ReferenceWorld.Profile, "local:proxy"), (api.TypeLocation.Line, api.TypeLocation.Column));

        var worker = e.Target("worker")!;
        Assert.Equal("local:process", worker.Type);
        Assert.Equal(new PickSpec(1, null, null), worker.Pick);
        Assert.Equal("Worker.dll", Scalar(worker.Selector, "commandContains"));

        var web = e.Target("web")!;
        Assert.Equal("aws", web.Provider);
        Assert.Equal(new PickSpec(null, 25, null), web.Pick);
        Assert.Equal("web", Scalar(Assert.IsType<YMapping>(web.Selector.Get("tags")), "app"));
        Assert.Equal("running", Assert.IsType<YScalar>(Assert.Single(Assert.IsType<YSequence>(web.Selector.Get("states")).Items)).Value);
    }

    [Fact]
    public void Safety_lands_in_the_model()
    {
        var s = Load().Safety;

        Assert.Equal(5, s.MaxTargets);
        Assert.Equal(34, s.MaxPercent);
        Assert.Equal(new Dictionary<string, string> { ["chaos"] = "opt-in" }, s.RequireTags);
        Assert.Equal(new Dictionary<string, string> { ["chaos"] = "exempt" }, s.ExcludeTags);
        Assert.Equal(["us-east-1"], s.AllowedRegions!);
        Assert.Equal(["123456789012"], s.AllowedAccounts!);
        Assert.Equal(TimeSpan.FromMinutes(15), s.MaxDuration);
        Assert.True(s.RequireApproval);
        var w = s.Window!;
        Assert.Equal([DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday], w.Days);
        Assert.Equal(new TimeOnly(9, 0), w.Start);
        Assert.Equal(new TimeOnly(17, 0), w.End);
        Assert.Equal("Europe/Berlin", w.TimeZoneId);
    }

    [Fact]
    public void Steady_state_and_probes_land_in_the_model()
    {
        var s = Load().SteadyState;

        Assert.Equal(TimeSpan.FromSeconds(2), s.Interval);
        Assert.Equal(2, s.Tolerance);
        Assert.True(s.AbortOnDeviation);
        Assert.Equal(2, s.Probes.Count);
        var http = Assert.IsType<HttpProbeSpec>(s.Probes[0]);
        Assert.Equal(new HttpProbeSpec("api-up", "http://127.0.0.1:18080/health", 200, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(250), "GET"), http);
        var command = Assert.IsType<CommandProbeSpec>(s.Probes[1]);
        // Command probes run where the profile lives, so "./check-queue.sh" means the script beside it.
        Assert.Equal(new CommandProbeSpec("queue-ok", "./check-queue.sh", 0, TimeSpan.FromSeconds(5), _dir.Path), command);
    }

    [Fact]
    public void Method_steps_land_in_the_model_in_order()
    {
        var e = Load();

        Assert.Equal(3, e.Method.Count);
        var slow = Assert.IsType<FaultStep>(e.Method[0]);
        Assert.Equal((0, "slow-db", "latency", "api", TimeSpan.FromMinutes(2), false), (slow.Index, slow.Name, slow.Fault, slow.Target, slow.Duration, slow.IrreversibleAllowed));
        Assert.Equal("300ms", Scalar(slow.Params, "delay"));
        Assert.Equal("50ms", Scalar(slow.Params, "jitter"));
        Assert.Equal(Source.At(ReferenceWorld.Profile, "{name: slow-db").Line, slow.Location.Line);

        var pause = Assert.IsType<PauseStep>(e.Method[1]);
        Assert.Equal((1, TimeSpan.FromSeconds(10), "pause 10s"), (pause.Index, pause.PauseFor, pause.Name));

        var kill = Assert.IsType<FaultStep>(e.Method[2]);
        Assert.Equal((2, "kill-worker", "process-kill", "worker", (TimeSpan?)null), (kill.Index, kill.Name, kill.Fault, kill.Target, kill.Duration));
        Assert.Equal("KILL", Scalar(kill.Params, "signal"));

        Assert.Equal(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(10), e.MethodDuration);
        Assert.Equal(RollbackMode.Always, e.Rollback);
    }

    [Fact]
    public void Canonical_content_holds_every_value_as_sorted_json()
    {
        var e = Load();

        Assert.StartsWith("{\"apiVersion\":\"simian/v1\",\"kind\":\"Experiment\",\"metadata\":", e.CanonicalContent);
        Assert.Contains("\"params\":{\"delay\":\"300ms\",\"jitter\":\"50ms\"}", e.CanonicalContent);
        Assert.Contains("\"allowedAccounts\":[\"123456789012\"]", e.CanonicalContent);
    }
}
