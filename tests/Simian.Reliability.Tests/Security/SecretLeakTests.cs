using Simian.Reliability.Tests.Support;

namespace Simian.Reliability.Tests.Security;

/// <summary>
/// No credential or token reaches anything simian prints or writes. Every verb runs as a real process with
/// recognisable AWS credentials in its environment, against a profile whose probe URL carries a token, a
/// request signature and a basic-auth password, and whose command probe prints secret-looking lines when it
/// fails. Nothing may show SECRET123, SIGSECRET, PASSWORD, the secret access key or the session token; the
/// access key id only masked.
/// </summary>
public sealed class SecretLeakTests
{
    private const string SessionToken = "IQoJb3JpZ2luX2VjSESSIONTOKENxyz";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static readonly string[] Secrets =
        ["SECRET123", "SIGSECRET", "PASSWORD", AwsSandbox.GameDaySecret, SessionToken, AwsSandbox.GameDayKeyId, "SVCSECRET", "PWSECRET", "PROCSECRET", "AUTHSECRET"];

    [Fact]
    public async Task No_output_file_or_stream_of_any_verb_shows_a_secret()
    {
        await using var sandbox = await AwsSandbox.StartAsync(sessionToken: SessionToken);
        var dir = Directory.CreateTempSubdirectory("simian-leak-").FullName;
        var flag = Path.Combine(dir, "unhealthy");
        // The site fails while the flag is there, and so does the command probe (printing its secrets).
        using var site = new LoopbackSite(_ => File.Exists(flag) ? 500 : 200);
        var env = new Dictionary<string, string>(AwsSandbox.GameDay) { ["AWS_SESSION_TOKEN"] = SessionToken };
        var outputs = new List<(string What, string Text)>();
        // A process whose command line carries secrets, as a target: its label reaches the plan, journal and report.
        var marker = "leak-" + Guid.NewGuid().ToString("N")[..8];
        using var secretive = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sh")
        {
            ArgumentList = { "-c", "sleep 300", marker, "--password", "PROCSECRET", "Authorization: Basic AUTHSECRET" },
            UseShellExecute = false,
        })!;
        try
        {
            var profile = WriteProfile(dir, "leaky", sandbox, site, flag, marker, "- {name: stop-one, fault: instance-stop, target: web, duration: 1s}\n  - {name: deny, fault: bucket-deny, target: assets, duration: 1s}\n  - {name: freeze, fault: process-pause, target: proc, duration: 1s}");
            var crashing = WriteProfile(dir, "leaky-crash", sandbox, site, flag, marker, "- {name: stop-one, fault: instance-stop, target: web}\n  - {pause: 5m}");
            var broken = Path.Combine(dir, "broken.yaml");
            File.WriteAllText(broken, File.ReadAllText(profile)
                .Replace("url: \"http://", "url: \"ftp://")
                .Replace("region: us-east-1,", "region: us-east-1, endpoint: \"ftp://user:PASSWORD@127.0.0.1/?token=SECRET123\", ")
                .Replace("providers:\n", "providers:\n  local: {proxyControl: \"https://user:PASSWORD@127.0.0.1:8474/?token=SECRET123&X-Amz-Signature=SIGSECRET\"}\n"));
            var plan = Path.Combine(dir, "plan.json");
            var journal = Path.Combine(dir, "run.jsonl");
            var junit = Path.Combine(dir, "junit.xml");
            var log = Path.Combine(dir, "run.log");

            async Task<CliResult> Simian(string what, int expected, params string[] args)
            {
                var result = await SimianProcess.RunToEndAsync(dir, env, Patience, args);
                outputs.Add((what + " stdout", result.Stdout));
                outputs.Add((what + " stderr", result.Stderr));
                Assert.True(result.ExitCode == expected, $"{what}: expected exit {expected}\n{result}");
                return result;
            }

            await Simian("validate", 0, "validate", profile, crashing);
            var invalid = await Simian("validate (errors)", 2, "validate", broken, "--output", "json");
            Assert.Contains("ftp://", invalid.Stdout);
            await Simian("targets", 0, "targets", profile);
            await Simian("targets json", 0, "targets", profile, "--output", "json");
            await Simian("plan", 0, "plan", profile, "--out", plan);
            await Simian("plan json", 0, "plan", profile, "--output", "json");

            // A run whose probes fail while the faults are held: their details reach every output.
            using (var run = new SimianProcess(dir, env, "run", profile, "--plan", plan, "--journal", journal, "--junit", junit, "--log-file", log, "--verbose"))
            {
                // The helper service's start is the first `applied`, the first fault's the second.
                await Wait.UntilAsync(() => Journal.Count(journal, "applied") >= 2 || run.Process.HasExited, Patience, () => "a fault applied\n" + run.Stderr);
                File.WriteAllText(flag, "");
                var exit = await run.WaitAsync(Patience);
                outputs.Add(("run stdout", run.Stdout));
                outputs.Add(("run stderr", run.Stderr));
                Assert.True(exit == 5, $"run: exit {exit}\n{run.Stdout}\n{run.Stderr}");
                Assert.Contains("exit 1, expected 0", Journal.Text(journal));
            }

            // A run killed mid-way, then recovered: the crash path and recover's output.
            File.Delete(flag);
            var crashJournal = Path.Combine(dir, "crash.jsonl");
            using (var run = new SimianProcess(dir, env, "run", crashing, "--yes", "--journal", crashJournal, "--output", "json"))
            {
                await Wait.UntilAsync(() => Journal.Count(crashJournal, "applied") == 2 || run.Process.HasExited, Patience, () => "a fault applied\n" + run.Stderr);
                File.WriteAllText(flag, "");
                await Wait.UntilAsync(() => Journal.Count(crashJournal, "probe") >= 4, Patience, () => "failing probes\n" + run.Stderr);
                run.Process.Kill();
                await run.WaitAsync(Patience);
                outputs.Add(("crashed run stdout", run.Stdout));
                outputs.Add(("crashed run stderr", run.Stderr));
            }
            await Simian("recover", 0, "recover", "--journal", crashJournal);
            await Simian("recover json", 0, "recover", "--output", "json");
            await Simian("report", 0, "report", journal);
            await Simian("report html", 0, "report", crashJournal, "--format", "html");
            Assert.All(sandbox.State.Instances(), i => Assert.Equal("running", i.State));

            foreach (var file in new[] { plan, journal, junit, log, crashJournal })
            {
                outputs.Add((Path.GetFileName(file), File.ReadAllText(file)));
            }
            // The secrets did reach the outputs, masked: the probes failed and said what they saw.
            foreach (var masked in new[] { "--token=***", "--password ***", "Authorization: ***", "aws_secret_access_key = ***", "\"SessionToken\": \"***\"", "X-Amz-Security-Token: ***", "://***:***@", "token=***", "X-Amz-Signature=***" })
            {
                Assert.True(outputs.Any(o => o.Text.Contains(masked, StringComparison.Ordinal)), $"nothing shows {masked}: the test did not exercise that path");
            }
            var leaks = (from o in outputs
                         from secret in Secrets
                         where o.Text.Contains(secret, StringComparison.Ordinal)
                         select $"{secret} in {o.What}: …{Around(o.Text, secret)}…").ToList();
            Assert.True(leaks.Count == 0, "secrets leaked:\n" + string.Join('\n', leaks));
        }
        finally
        {
            secretive.Kill();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private static string WriteProfile(string dir, string name, Simian.Sandbox.SandboxServer sandbox, LoopbackSite site, string flag, string marker, string method)
    {
        // Prints secrets the way tools do when they fail: a signed URL, a bearer header, an AWS config line, JSON.
        var command = $"if [ -e '{flag}' ]; then "
            + "echo \"GET /data?token=SECRET123 Authorization: Bearer SECRET123\"; "
            + "echo \"aws_secret_access_key = $AWS_SECRET_ACCESS_KEY\"; "
            + "echo \"{\\\"SessionToken\\\": \\\"$AWS_SESSION_TOKEN\\\"}\"; "
            + "echo \"X-Amz-Security-Token: $AWS_SESSION_TOKEN\"; "
            + "exit 1; fi";
        var path = Path.Combine(dir, name + ".yaml");
        File.WriteAllText(path, $$$"""
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: {{{name}}}}
            providers:
              aws: {region: us-east-1, endpoint: "{{{AwsSandbox.EndpointOf(sandbox)}}}"}
              local:
                services:
                  - {name: helper, run: "sh -c 'sleep 300' helper --token=SVCSECRET --password PWSECRET"}
            targets:
              proc: {type: local:process, selector: {commandContains: "{{{marker}}}"}}
              web: {type: aws:ec2:instance, selector: {tags: {app: web}, zones: [us-east-1a]}, pick: {count: 1}}
              assets: {type: aws:s3:bucket, selector: {names: [site-assets]}}
            safety: {requireTags: {chaos: opt-in}, allowedAccounts: ["123456789012"]}
            steadyState:
              interval: 200ms
              tolerance: 2
              abortOnDeviation: false
              probes:
                - name: site
                  http: {url: "http://user:PASSWORD@127.0.0.1:{{{site.Port}}}/health?token=SECRET123&X-Amz-Signature=SIGSECRET", expectStatus: 200, timeout: 2s}
                - name: creds
                  command: {run: {{{Quoted(command)}}}, expectExit: 0, timeout: 5s}
            method:
              {{{method}}}
            rollback: always
            """);
        return path;
    }

    /// <summary>A YAML double-quoted scalar.</summary>
    private static string Quoted(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static string Around(string text, string secret)
    {
        var i = text.IndexOf(secret, StringComparison.Ordinal);
        var start = Math.Max(0, i - 80);
        return text[start..Math.Min(text.Length, i + secret.Length + 40)].ReplaceLineEndings(" ");
    }
}
