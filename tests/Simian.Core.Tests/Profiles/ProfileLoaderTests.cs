using Simian.Core.Diagnostics;
using Simian.Core.Planning;
using Simian.Core.Profiles;
using Simian.Core.Tests.Fakes;

namespace Simian.Core.Tests.Profiles;

public sealed class ProfileLoaderTests
{
    private readonly ReferenceWorld _world = new();

    private LoadResult Load(string text) => new ProfileLoader(_world.Registry).LoadText(text, "p.yaml");

    /// <summary>A valid profile whose parts tests replace one at a time.</summary>
    private static string Profile(
        string targets = "  api: {type: local:proxy, selector: {names: [db]}}\n",
        string method = "  - {name: slow, fault: latency, target: api, params: {delay: 300ms}, duration: 1m}\n",
        string extra = "") =>
        "apiVersion: simian/v1\nkind: Experiment\nmetadata: {name: t}\ntargets:\n" + targets + "method:\n" + method + extra;

    private static Diagnostic Only(LoadResult result)
    {
        Assert.False(result.Ok);
        Assert.Null(result.Experiment);
        return Assert.Single(result.Diagnostics);
    }

    private static void AssertAt(Diagnostic d, string text, string marker, int nth = 1) =>
        Assert.True(Source.At(text, marker, nth) == (d.Location.Line, d.Location.Column), $"expected {marker} at {Source.At(text, marker, nth)}: {d}");

    [Fact]
    public void Minimal_profile_is_valid()
    {
        var result = Load(Profile());

        Assert.True(result.Ok, string.Join("\n", result.Diagnostics));
        Assert.Equal(SteadyStateSpec.None, result.Experiment!.SteadyState);
        Assert.Equal(RollbackMode.Always, result.Experiment.Rollback);
    }

    [Fact]
    public void Every_mistake_is_reported_at_once_with_its_line_and_column()
    {
        const string text = """
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: broken, owner: team-web}
            targets:
              api: {type: local:proxi, selector: {names: [orders-db]}}
              worker: {type: local:process, selector: {commandContains: W}, pick: {count: 1, percent: 10}}
            safety:
              window: {days: [mon, tues], start: "09:00", end: "25:00"}
            steadyStat:
              interval: 2s
            method:
              - {name: slow-db, fault: latency, target: ap1, duration: 2m}
              - {name: kill, fault: latency, target: worker, duration: 5parsecs}
            rollback: sometimes

            """;

        var result = Load(text);

        Assert.False(result.Ok);
        var expected = new (string Marker, int Nth, string Message)[]
        {
            ("local:proxi", 1, "unknown target type 'local:proxi'; did you mean 'local:proxy'?"),
            ("{count: 1", 1, "pick takes either count or percent, not both"),
            ("tues", 1, "unknown day 'tues'; did you mean 'tue'?"),
            ("\"25:00\"", 1, "'end' must be a time like \"09:00\", not '25:00'"),
            ("steadyStat", 1, "unknown key 'steadyStat' in the profile; did you mean 'steadyState'?"),
            ("ap1", 1, "unknown target 'ap1'; did you mean 'api'?"),
            ("latency", 2, "unknown fault 'latency' for local:process; known: process-kill"),
            ("5parsecs", 1, "'duration': unknown unit 'parsecs' in '5parsecs' (use ms, s, m or h)"),
            ("sometimes", 1, "unknown rollback 'sometimes'; known: always, on-deviation, never"),
        };
        var actual = result.Diagnostics.Select(d => (d.Location.File, d.Location.Line, d.Location.Column, d.Message)).ToList();
        var wanted = expected.Select(x =>
        {
            var (line, column) = Source.At(text, x.Marker, x.Nth);
            return ("p.yaml", line, column, x.Message);
        }).ToList();
        Assert.Equal(wanted, actual);
    }

    [Fact]
    public void Diagnostics_print_as_file_line_column_error_message()
    {
        var text = Profile(extra: "rollbak: always\n");
        var line = Source.At(text, "rollbak").Line;

        var result = Load(text);

        Assert.Equal($"p.yaml:{line}:1: error: unknown key 'rollbak' in the profile; did you mean 'rollback'?", Only(result).ToString());
    }

    [Fact]
    public void Unknown_key_is_reported_with_did_you_mean_and_location()
    {
        var text = Profile(targets: "  api: {type: local:proxy, selecter: {names: [db]}}\n");

        var d = Only(Load(text));

        AssertAt(d, text, "selecter");
        Assert.Equal("unknown key 'selecter' in target 'api'; did you mean 'selector'?", d.Message);
    }

    [Fact]
    public void Unknown_key_far_from_every_known_one_lists_the_known_keys()
    {
        var text = Profile(extra: "zzzzzzzz: 1\n");

        var d = Only(Load(text));

        AssertAt(d, text, "zzzzzzzz");
        Assert.Contains("known: apiVersion, kind, metadata, parameters, providers, targets, safety, steadyState, method, rollback", d.Message);
    }

    [Fact]
    public void Unknown_target_type_lists_the_known_ones()
    {
        var text = Profile(targets: "  api: {type: gcp:compute:vm}\n", method: "  - {pause: 1s}\n");

        var d = Only(Load(text));

        AssertAt(d, text, "gcp:compute:vm");
        Assert.Equal("unknown target type 'gcp:compute:vm'; known: local:proxy, local:process, aws:ec2:instance", d.Message);
    }

    [Fact]
    public void Unknown_provider_and_provider_setting_are_reported()
    {
        var text = Profile(extra: "providers:\n  local: {proxyControll: http://x}\n  lokal: {}\n");

        var result = Load(text);

        Assert.Equal(2, result.Diagnostics.Count);
        AssertAt(result.Diagnostics[0], text, "proxyControll");
        Assert.Contains("did you mean 'proxyControl'?", result.Diagnostics[0].Message);
        AssertAt(result.Diagnostics[1], text, "lokal");
        Assert.Equal("unknown provider 'lokal'; did you mean 'local'?", result.Diagnostics[1].Message);
    }

    [Fact]
    public void Selector_is_checked_by_its_target_type()
    {
        var text = Profile(targets: "  api: {type: local:proxy, selector: {nmes: [db]}}\n");

        var d = Only(Load(text));

        AssertAt(d, text, "nmes");
        Assert.Contains("did you mean 'names'?", d.Message);
    }

    [Fact]
    public void Step_naming_a_missing_target_is_reported_at_the_target()
    {
        var text = Profile(method: "  - {name: s, fault: latency, target: nowhere, duration: 1m}\n");

        var d = Only(Load(text));

        AssertAt(d, text, "nowhere");
        Assert.Equal("unknown target 'nowhere'; known: api", d.Message);
    }

    [Fact]
    public void Step_naming_a_target_when_none_are_defined_says_so()
    {
        const string text = "apiVersion: simian/v1\nkind: Experiment\nmetadata: {name: t}\nmethod:\n  - {fault: latency, target: api}\n";

        var d = Only(Load(text));

        Assert.Equal("step 'step-1' names target 'api' but the profile defines no targets", d.Message);
    }

    [Fact]
    public void Fault_the_target_type_does_not_support_lists_the_ones_it_does()
    {
        var text = Profile(method: "  - {name: s, fault: process-kill, target: api}\n");

        var d = Only(Load(text));

        AssertAt(d, text, "process-kill");
        Assert.Equal("unknown fault 'process-kill' for local:proxy; known: latency, disconnect", d.Message);
    }

    [Fact]
    public void Fault_params_are_checked_by_the_fault()
    {
        var text = Profile(method: "  - {name: s, fault: latency, target: api, params: {dealy: 1s}, duration: 1m}\n");

        var d = Only(Load(text));

        AssertAt(d, text, "dealy");
        Assert.Contains("did you mean 'delay'?", d.Message);
    }

    [Fact]
    public void Fault_that_needs_a_duration_refuses_a_step_without_one()
    {
        var text = Profile(method: "  - {name: s, fault: latency, target: api}\n");

        var d = Only(Load(text));

        AssertAt(d, text, "{name: s");
        Assert.Equal("step 's': fault 'latency' needs a duration", d.Message);
    }

    [Theory]
    [InlineData("duration: 10", "'duration': '10' needs a unit (ms, s, m or h)")]
    [InlineData("duration: 2 min", "'duration': '2 min' is not a duration (use e.g. 500ms, 30s, 5m, 1h30m)")]
    [InlineData("duration: 1m1h", "'duration': '1m1h': units must go from larger to smaller (e.g. 1h30m)")]
    [InlineData("duration: 0s", "'duration' must be at least 1ms")]
    [InlineData("duration: [1m]", "'duration' must be a duration, not a list")]
    public void Bad_duration_is_reported_at_its_value(string duration, string message)
    {
        var text = Profile(method: $"  - {{name: s, fault: disconnect, target: api, {duration}}}\n");

        var d = Only(Load(text));

        AssertAt(d, text, duration[(duration.IndexOf(':') + 2)..]);
        Assert.Equal(message, d.Message);
    }

    [Fact]
    public void Method_longer_than_max_duration_is_refused()
    {
        var text = Profile(extra: "safety: {maxDuration: 30s}\n");

        var d = Only(Load(text));

        AssertAt(d, text, "method");
        Assert.Contains("longer than safety.maxDuration (30s)", d.Message);
    }

    [Theory]
    [InlineData("", null, null)]
    [InlineData(", pick: all", null, null)]
    [InlineData(", pick: {count: 3}", 3, null)]
    [InlineData(", pick: {percent: 12.5}", null, 12.5)]
    [InlineData(", pick: {percent: 100}", null, 100.0)]
    public void Pick_forms_are_read(string pick, int? count, double? percent)
    {
        var result = Load(Profile(targets: $"  api: {{type: local:proxy{pick}}}\n"));

        Assert.True(result.Ok, string.Join("\n", result.Diagnostics));
        Assert.Equal(new PickSpec(count, percent, null), result.Experiment!.Target("api")!.Pick);
    }

    [Fact]
    public void Pick_per_is_read_when_the_type_can_group()
    {
        var result = Load(Profile(
            targets: "  web: {type: aws:ec2:instance, pick: {count: 1, per: zone}}\n",
            method: "  - {fault: stop, target: web}\n"));

        Assert.True(result.Ok, string.Join("\n", result.Diagnostics));
        Assert.Equal(new PickSpec(1, null, "zone"), result.Experiment!.Target("web")!.Pick);
    }

    [Theory]
    [InlineData("pick: {count: 1, percent: 10}", "{count", "pick takes either count or percent, not both")]
    [InlineData("pick: {}", "{}", "pick needs count or percent (or write pick: all)")]
    [InlineData("pick: some", "some", "pick must be 'all', {count: N} or {percent: P}, not 'some'")]
    [InlineData("pick: {count: 0}", "0}", "'count' must be between 1 and 1000000, not 0")]
    [InlineData("pick: {count: two}", "two", "'count' must be a whole number, not 'two'")]
    [InlineData("pick: {percent: 150}", "150", "'percent' must be between 0.0001 and 100, not 150")]
    [InlineData("pick: {count: 1, per: zone}", "pick", "target type 'local:proxy' cannot pick per 'zone'")]
    [InlineData("pick: {cnt: 1}", "cnt", "unknown key 'cnt' in pick; did you mean 'count'?")]
    public void Bad_pick_is_reported(string pick, string marker, string message)
    {
        var text = Profile(targets: $"  api: {{type: local:proxy, {pick}}}\n");

        var result = Load(text);

        var d = Assert.Single(result.Diagnostics, x => x.Message == message);
        AssertAt(d, text, marker);
    }

    [Fact]
    public void Window_is_read_with_days_times_and_zone()
    {
        var result = Load(Profile(extra: "safety:\n  window: {days: [sat, SUN, mon], start: \"9:30\", end: \"06:15\", timezone: America/New_York}\n"));

        Assert.True(result.Ok, string.Join("\n", result.Diagnostics));
        var w = result.Experiment!.Safety.Window!;
        Assert.Equal([DayOfWeek.Saturday, DayOfWeek.Sunday, DayOfWeek.Monday], w.Days);
        Assert.Equal((new TimeOnly(9, 30), new TimeOnly(6, 15), "America/New_York"), (w.Start, w.End, w.TimeZoneId));
    }

    [Fact]
    public void Window_without_days_or_zone_means_every_day_in_utc()
    {
        var result = Load(Profile(extra: "safety:\n  window: {start: \"22:00\", end: \"06:00\"}\n"));

        Assert.True(result.Ok, string.Join("\n", result.Diagnostics));
        var w = result.Experiment!.Safety.Window!;
        Assert.Equal(7, w.Days.Distinct().Count());
        Assert.Equal("UTC", w.TimeZoneId);
    }

    [Theory]
    [InlineData("{days: [mon], start: \"09:00\", end: \"17:00\", timezone: Mars/Olympus}", "Mars/Olympus", "unknown time zone 'Mars/Olympus' (use an IANA name such as Europe/Berlin)")]
    [InlineData("{days: [funday], start: \"09:00\", end: \"17:00\"}", "funday", "unknown day 'funday'; known: mon, tue, wed, thu, fri, sat, sun")]
    [InlineData("{start: \"9am\", end: \"17:00\"}", "\"9am\"", "'start' must be a time like \"09:00\", not '9am'")]
    [InlineData("{start: \"10:00\", end: \"10:00\"}", "{start", "window start and end are the same time")]
    [InlineData("{end: \"10:00\"}", "{end", "safety.window is missing required key 'start'")]
    public void Bad_window_is_reported(string window, string marker, string message)
    {
        var text = Profile(extra: $"safety:\n  window: {window}\n");

        var d = Only(Load(text));

        AssertAt(d, text, marker);
        Assert.Equal(message, d.Message);
    }

    [Fact]
    public void Empty_profile_is_reported_at_the_start()
    {
        Assert.Equal("p.yaml:1:1: error: profile is empty", Only(Load("# nothing here\n")).ToString());
    }

    [Fact]
    public void Profile_that_is_not_a_mapping_is_reported()
    {
        Assert.Equal("the profile must be a mapping, not a list", Only(Load("- a\n- b\n")).Message);
    }

    [Fact]
    public void Missing_required_parts_are_all_reported()
    {
        var result = Load("kind: Experiment\n");

        var messages = result.Diagnostics.Select(d => d.Message).ToList();
        Assert.Contains("the profile is missing required key 'apiVersion'", messages);
        Assert.Contains("the profile is missing required key 'metadata'", messages);
        Assert.Contains("the profile is missing required key 'method'", messages);
    }

    [Fact]
    public void Wrong_api_version_and_kind_are_reported()
    {
        var text = Profile().Replace("simian/v1", "simian/v2").Replace("kind: Experiment", "kind: Game");

        var result = Load(text);

        Assert.Equal(["unsupported apiVersion 'simian/v2'; this simian reads 'simian/v1'", "unsupported kind 'Game'; expected 'Experiment'"],
            result.Diagnostics.Select(d => d.Message));
    }

    [Fact]
    public void Yaml_errors_reach_the_loader_result_with_their_location()
    {
        var text = Profile() + "targets:\n  b: 1\n";

        var d = Only(Load(text));

        AssertAt(d, text, "targets", 2);
        Assert.Contains("duplicate key 'targets' (first at line 4)", d.Message);
    }

    [Fact]
    public void Step_names_and_probe_names_must_be_unique()
    {
        var text = Profile(
            method: "  - {name: s, fault: disconnect, target: api}\n  - {name: s, fault: disconnect, target: api}\n",
            extra: "steadyState:\n  probes:\n    - {name: p, command: {run: 'true'}}\n    - {name: p, command: {run: 'true'}}\n");

        var messages = Load(text).Diagnostics.Select(d => d.Message).ToList();

        Assert.Equal(["step name 's' is used twice", "probe name 'p' is used twice"], messages);
    }

    [Fact]
    public void Probe_needs_exactly_one_kind_and_an_http_url()
    {
        var text = Profile(extra: "steadyState:\n  probes:\n    - {name: a}\n    - {name: b, http: {url: 'ftp://x/'}}\n");

        var messages = Load(text).Diagnostics.Select(d => d.Message).ToList();

        Assert.Equal(["probe 'a' needs exactly one of http or command", "'ftp://x/' is not an http(s) URL"], messages);
    }

    [Fact]
    public void Canonical_content_ignores_comments_formatting_quoting_and_key_order()
    {
        const string compact = """
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: t, labels: {a: "1", b: "2"}}
            targets:
              api: {type: local:proxy, selector: {names: [db]}}
            method:
              - {name: slow, fault: latency, target: api, params: {delay: 300ms}, duration: 1m}
            """;
        const string rewritten = """
            # The same experiment, written differently.
            kind: 'Experiment'       # quoted
            apiVersion: simian/v1

            method:
              - target: api
                duration: 1m
                params:
                  delay: "300ms"
                fault: latency
                name: slow
            targets:
              api:
                selector:
                  names:
                    - db
                type: local:proxy
            metadata:
              labels: {b: '2', a: 1}
              name: t
            """;

        var a = Load(compact);
        var b = Load(rewritten);

        Assert.True(a.Ok && b.Ok, string.Join("\n", a.Diagnostics.Concat(b.Diagnostics)));
        Assert.Equal(a.Experiment!.CanonicalContent, b.Experiment!.CanonicalContent);
        Assert.Equal(Fingerprint.Compute(a.Experiment.CanonicalContent, []), Fingerprint.Compute(b.Experiment.CanonicalContent, []));
    }

    [Theory]
    [InlineData("delay: 300ms", "delay: 301ms")]
    [InlineData("duration: 1m", "duration: 2m")]
    [InlineData("names: [db]", "names: [db, db2]")]
    [InlineData("name: t}", "name: u}")]
    public void Canonical_content_and_fingerprint_change_when_a_value_changes(string before, string after)
    {
        var original = Profile();
        var changed = original.Replace(before, after);
        Assert.NotEqual(original, changed);

        var a = Load(original).Experiment!;
        var b = Load(changed).Experiment!;

        Assert.NotEqual(a.CanonicalContent, b.CanonicalContent);
        Assert.NotEqual(Fingerprint.Compute(a.CanonicalContent, []), Fingerprint.Compute(b.CanonicalContent, []));
    }

    [Fact]
    public void Null_and_the_string_null_are_different_content()
    {
        var a = Load(Profile(extra: "safety: {excludeTags: {x: \"null\"}}\n"));
        var b = Load(Profile(extra: "safety: {excludeTags: {x: \"\"}}\n"));

        Assert.NotEqual(a.Experiment!.CanonicalContent, b.Experiment!.CanonicalContent);
    }
}
