using Simian.Cli.Tests.Support;
using Simian.Core;

namespace Simian.Cli.Tests.Commands;

/// <summary>`proxy serve --token-file` and a profile's `providers.local.proxyToken` (where the token is, never the token).</summary>
public sealed class ProxyTokenTests
{
    [Fact(Timeout = 90_000)]
    public async Task A_token_protected_proxy_serves_a_profile_that_names_where_its_token_is_and_refuses_one_that_does_not()
    {
        var dir = Directory.CreateTempSubdirectory("simian-token-").FullName;
        var tokenFile = Path.Combine(dir, "token");
        File.WriteAllText(tokenFile, "tok-" + Guid.NewGuid().ToString("N") + "\n");
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var port = Wait.FreePort();
        using var serve = new SimianProcess(dir, "proxy", "serve", "--control", $"127.0.0.1:{port}", "--token-file", tokenFile);
        await Wait.UntilAsync(() => serve.Stderr.Contains("token required", StringComparison.Ordinal), TimeSpan.FromSeconds(60), () => "proxy serve\n" + serve);
        string Profile(string token) => Path.Combine(dir, "p.yaml") is var p && WriteProfile(p, port, token) ? p : p;

        using var cli = new TestCli(env: new Dictionary<string, string> { ["PROXY_TOKEN"] = File.ReadAllText(tokenFile).Trim() });
        var withToken = await cli.RunAsync("plan", Profile("proxyToken: env:PROXY_TOKEN"));
        var fromFile = await cli.RunAsync("plan", Profile($"proxyToken: \"file:{tokenFile}\""));
        var without = await cli.RunAsync("plan", Profile(""));
        var inline = await cli.RunAsync("validate", Profile("proxyToken: tok-the-token-itself"));

        // The proxy named in the profile is created by the run, so the plan lists it; asking the API needs the token.
        Assert.True(withToken.ExitCode == ExitCodes.Ok, withToken.ToString());
        Assert.True(fromFile.ExitCode == ExitCodes.Ok, fromFile.ToString());
        Assert.Equal(ExitCodes.Provider, without.ExitCode);
        Assert.Contains("needs its token", without.Stderr);
        Assert.Equal(ExitCodes.Invalid, inline.ExitCode);
        Assert.Contains("never the token itself", inline.Stdout + inline.Stderr);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task A_token_file_others_can_read_is_refused()
    {
        using var cli = new TestCli();
        var tokenFile = Path.Combine(cli.StateDir, "token");
        File.WriteAllText(tokenFile, "tok\n");
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var result = await cli.RunAsync("proxy", "serve", "--control", "127.0.0.1:0", "--token-file", tokenFile);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("can be read by others", result.Stderr);
    }

    private static bool WriteProfile(string path, int port, string token)
    {
        File.WriteAllText(path, $$$"""
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: token}
            providers:
              local:
                proxyControl: "http://127.0.0.1:{{{port}}}"
                proxies: [{name: px, listen: "127.0.0.1:9", upstream: "127.0.0.1:9"}]
                {{{token}}}
            targets:
              px: {type: local:proxy, selector: {names: [px]}}
            method:
              - {name: slow, fault: latency, target: px, params: {delay: 10ms}, duration: 1s}
            """);
        return true;
    }
}
