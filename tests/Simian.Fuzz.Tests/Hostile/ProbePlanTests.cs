using System.Text.Json;
using Simian.Core.Profiles;
using Simian.Fuzz.Tests.Support;

namespace Simian.Fuzz.Tests.Hostile;

/// <summary>What a profile's probes will reach or run is shown in the plan, secrets masked, before anything runs.</summary>
public sealed class ProbePlanTests : IDisposable
{
    private const string Url = "http://ops:hunter2@127.0.0.1:25999/health?token=s3cr3t&region=eu";

    private readonly TestCli _cli = new(seed: 7, undoAttempts: 1);
    private readonly string _dir = Directory.CreateTempSubdirectory("simian-probe-plan-").FullName;

    [Fact]
    public async Task Plan_text_and_json_show_each_probe_url_redacted_and_command_without_running_them()
    {
        var marker = Path.Combine(_dir, "probe-ran");
        var command = $"touch '{marker}' && ./check-queue.sh --depth 10";
        var profile = Path.Combine(_dir, "probes.yaml");
        await File.WriteAllTextAsync(profile, $$$"""
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: probes-shown}
            providers:
              local:
                proxyControl: embedded
                proxies:
                  - {name: db, listen: "127.0.0.1:25011", upstream: "127.0.0.1:25111"}
            targets:
              db: {type: local:proxy, selector: {names: [db]}}
            safety: {maxTargets: 1}
            steadyState:
              probes:
                - {name: api-up, http: {url: "{{{Url}}}", expectStatus: 200, timeout: 2s}}
                - {name: queue-ok, command: {run: "{{{command}}}", expectExit: 0, timeout: 5s}}
            method:
              - {name: slow-db, fault: latency, target: db, params: {delay: 300ms}, duration: 1m}
            """);
        var shownUrl = Redaction.Url(Url);
        Assert.DoesNotContain("s3cr3t", shownUrl);
        Assert.DoesNotContain("hunter2", shownUrl);
        Assert.Contains("127.0.0.1:25999/health", shownUrl);

        var text = await _cli.RunAsync("plan", profile);
        var json = await _cli.RunAsync("plan", "--output", "json", profile);

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Contains($"  api-up: HTTP GET {shownUrl} expects 200", text.Stdout);
        Assert.Contains($"  queue-ok: command `{command}` expects exit 0", text.Stdout);
        using var doc = JsonDocument.Parse(json.Stdout);
        var probes = doc.RootElement.GetProperty("probes").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("description").GetString()!);
        Assert.Contains(shownUrl, probes["api-up"]);
        Assert.Contains(command, probes["queue-ok"]);
        foreach (var output in new[] { text.Stdout, text.Stderr, json.Stdout, json.Stderr })
        {
            Assert.DoesNotContain("s3cr3t", output);
            Assert.DoesNotContain("hunter2", output);
        }
        Assert.False(File.Exists(marker), "plan ran the command probe");
    }

    public void Dispose()
    {
        _cli.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
