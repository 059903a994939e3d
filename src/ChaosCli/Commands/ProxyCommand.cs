using System.CommandLine;
using Simian.Core;
using Simian.Core.Diagnostics;
using Simian.Local.Proxies;
using Simian.Proxy;

namespace Simian.Cli.Commands;

/// <summary><c>simian proxy serve</c>: the long-running TCP fault proxy with its loopback control API.</summary>
public static class ProxyCommand
{
    public static Command Create(CliContext context)
    {
        var control = new Option<string>("--control") { Description = "Control API address (loopback only)", DefaultValueFactory = _ => "127.0.0.1:8474" };
        var config = new Option<string?>("--config") { Description = "YAML file of proxies to create at start: proxies: [{name, listen, upstream}]" };
        var tokenFile = new Option<string?>("--token-file") { Description = "Require this bearer token (the file's first line; owner-only) on every control API request; or set SIMIAN_PROXY_TOKEN" };
        var allowRemote = new Option<bool>("--allow-remote-listen") { Description = "Let proxies listen on non-loopback addresses (off: POST /proxies and --config refuse them)" };
        var serve = new Command("serve", "Serve the fault proxy until SIGINT/SIGTERM; faults carry a time-to-live so they heal if simian dies") { control, config, tokenFile, allowRemote }
            .WithExamples("simian proxy serve", "simian proxy serve --control 127.0.0.1:8474 --config proxies.yaml --token-file ~/.config/simian/proxy-token");
        serve.SetAction(async (parse, ct) => await ServeAsync(context, parse.GetValue(control)!, parse.GetValue(config), ct,
            parse.GetValue(tokenFile), parse.GetValue(allowRemote)).ConfigureAwait(false));
        return new Command("proxy", "The TCP fault proxy (latency, blackhole, reset, bandwidth)") { serve };
    }

    public static async Task<int> ServeAsync(CliContext context, string control, string? configPath, CancellationToken cancellationToken,
        string? tokenFile = null, bool allowRemoteListen = false)
    {
        var token = tokenFile is not null ? ProxyToken.ReadFile(tokenFile, "--token-file") : context.Services.Env("SIMIAN_PROXY_TOKEN");
        ProxyConfig? config = null;
        if (configPath is not null)
        {
            if (Simian.Core.Platform.Posix.Stat(configPath) is { IsRegularFile: false } kind) throw new InvalidInputException($"--config {configPath} is {kind.KindText}, not a regular file");
            try
            {
                config = ProxyConfig.Load(configPath);
            }
            catch (ProxyConfigException e)
            {
                throw new InvalidInputException($"{configPath}: {e.Errors.Count} error(s)",
                    e.Errors.Select(x => new Diagnostic(new SourceLocation(x.Path, x.Line, x.Column), x.Message)).ToList());
            }
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var attached = context.Services.Signals.Attach(stop);
        await using var server = new ProxyServer(context.Services.Time, new Random(Environment.ProcessId), context.Stderr) { AllowRemoteListen = allowRemoteListen };
        foreach (var p in config?.Proxies ?? [])
        {
            try
            {
                var info = server.CreateProxy(p.Name, p.Listen, p.Upstream);
                await context.Stderr.WriteLineAsync($"proxy '{info.Name}': {info.Listen} -> {info.Upstream}").ConfigureAwait(false);
            }
            catch (ProxyException e)
            {
                throw new InvalidInputException($"proxy '{p.Name}': {e.Message}");
            }
        }
        ProxyControlServer api;
        try
        {
            api = new ProxyControlServer(server, control, context.Stderr, string.IsNullOrEmpty(token) ? null : token);
        }
        catch (ArgumentException e)
        {
            throw new InvalidInputException($"--control {control}: {e.Message}");
        }
        await using (api.ConfigureAwait(false))
        {
            try
            {
                var url = api.Start();
                await context.Stderr.WriteLineAsync($"fault proxy control API on {url}{(string.IsNullOrEmpty(token) ? "" : ", token required")} (Ctrl-C to stop)").ConfigureAwait(false);
            }
            catch (ProxyException e)
            {
                throw new InvalidInputException($"cannot serve the control API on {control}: {e.Message}");
            }
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            await context.Stderr.WriteLineAsync("fault proxy stopping; all faults removed").ConfigureAwait(false);
        }
        return ExitCodes.Ok;
    }
}
