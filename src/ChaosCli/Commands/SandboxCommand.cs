using System.CommandLine;
using Simian.Core;
using Simian.Core.Diagnostics;
using Simian.Sandbox;

namespace Simian.Cli.Commands;

/// <summary>
/// <c>simian sandbox [--port 4566] [--fleet fleet.yaml]</c>: an AWS-compatible endpoint on loopback (EC2 Query API,
/// S3 REST with enforced bucket policies, STS) to rehearse AWS experiments offline with the real SDK.
/// </summary>
public static class SandboxCommand
{
    public static Command Create(CliContext context)
    {
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 picks a free one)", DefaultValueFactory = _ => 4566 };
        var fleet = new Option<string?>("--fleet") { Description = "Fleet file seeding instances, buckets and identities; `sample` for the built-in sample fleet (samples/fleets/sandbox-fleet.yaml), what `simian init`'s AWS templates use" };
        var throttle = new Option<double>("--throttle-rate") { Description = "Share of calls answered with the service's throttling error (0..1)" };
        var errors = new Option<double>("--error-rate") { Description = "Share of calls answered with a 500 InternalError (0..1)" };
        var knownKeys = new Option<bool>("--require-known-keys") { Description = "Refuse access keys the fleet does not list (the default; kept for scripts)", Hidden = true };
        var anyKey = new Option<bool>("--any-key")
        {
            Description = "Admit any access key as a default identity (AWS refuses unknown keys, and so does the sandbox without this)",
        };
        var sitePort = new Option<int?>("--site-port") { Description = "Port for the fleet's site instead of the fleet's site.port (0 picks a free one)" };
        var seed = new Option<int>("--seed") { Description = "Seed for injected faults", DefaultValueFactory = _ => 1 };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log every request on stderr" };
        var transition = new Option<string>("--transition-delay")
        {
            Description = "How long pending, stopping and shutting-down last, as on AWS (e.g. 2s, 500ms, 0s)",
            DefaultValueFactory = _ => "2s",
        };
        var command = new Command("sandbox", "Serve an AWS-compatible sandbox (EC2, Auto Scaling, S3, STS) on loopback for offline rehearsals")
        {
            port, fleet, throttle, errors, knownKeys, anyKey, seed, verbose, transition, sitePort,
        };
        command.SetAction(async (parse, ct) => await ServeAsync(context, new SandboxOptions
        {
            Port = parse.GetValue(port),
            Fleet = WithSitePort(LoadFleet(parse.GetValue(fleet)), parse.GetValue(sitePort)),
            TimeProvider = context.Services.Time,
            Seed = parse.GetValue(seed),
            ThrottleRate = parse.GetValue(throttle),
            ErrorRate = parse.GetValue(errors),
            RequireKnownKeys = !parse.GetValue(anyKey),
            TransitionDelay = TransitionDelay(parse.GetValue(transition)!),
            Log = parse.GetValue(verbose) ? context.Stderr : null,
        }, ct).ConfigureAwait(false));
        return command.WithExamples("simian sandbox --fleet sample", "simian sandbox --fleet samples/fleets/sandbox-fleet.yaml --port 4566", "simian sandbox --transition-delay 0s --any-key");
    }

    private static TimeSpan TransitionDelay(string text) =>
        Simian.Core.Profiles.Duration.TryParse(text, out var delay, out _) && delay <= TimeSpan.FromMinutes(10)
            ? delay
            : throw new InvalidInputException($"--transition-delay '{text}' must be a duration such as 2s, 500ms or 0s (at most 10m)");

    private static Fleet WithSitePort(Fleet fleet, int? port)
    {
        if (port is not { } p) return fleet;
        if (p is < 0 or > 65535) throw new InvalidInputException($"--site-port {p} must be between 0 and 65535");
        if (fleet.Site is null) throw new InvalidInputException("--site-port: the fleet declares no site");
        fleet.Site.Port = p;
        return fleet;
    }

    private static Fleet LoadFleet(string? path)
    {
        if (path is null) return new Fleet();
        // Built in, so that the AWS templates' "Try it" works where the repository is not at hand (an installed tool).
        if (path == "sample" && !File.Exists(path))
        {
            using var stream = typeof(SandboxCommand).Assembly.GetManifestResourceStream("Simian.Cli.SampleFleet.yaml")!;
            using var reader = new StreamReader(stream);
            return Fleet.Parse(reader.ReadToEnd());
        }
        try
        {
            if (Simian.Core.Platform.Posix.Stat(path) is { IsRegularFile: false } kind) throw new InvalidInputException($"--fleet {path} is {kind.KindText}, not a regular file");
            return Fleet.Load(path);
        }
        catch (FleetException e) when (e.Path is not null)
        {
            throw new InvalidInputException($"{path}: invalid fleet", [new Diagnostic(new SourceLocation(e.Path, e.Line, e.Column), e.Detail)]);
        }
        catch (FleetException e)
        {
            throw new InvalidInputException($"{path}: {e.Message}");
        }
    }

    public static async Task<int> ServeAsync(CliContext context, SandboxOptions options, CancellationToken cancellationToken)
    {
        if (options.ThrottleRate is < 0 or > 1 || options.ErrorRate is < 0 or > 1 || options.ThrottleRate + options.ErrorRate > 1)
        {
            throw new InvalidInputException("--throttle-rate and --error-rate must be between 0 and 1 and add up to at most 1");
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var attached = context.Services.Signals.Attach(stop);
        SandboxServer server;
        try
        {
            server = await SandboxServer.StartAsync(options, stop.Token).ConfigureAwait(false);
        }
        catch (System.Net.HttpListenerException e)
        {
            throw new InvalidInputException($"cannot listen on 127.0.0.1:{options.Port}: {e.Message}; another program has that port: choose another with --port (and use that endpoint in profiles)");
        }
        await using (server.ConfigureAwait(false))
        {
            await context.Stderr.WriteLineAsync(
                $"AWS sandbox on {server.Endpoint} ({server.State.InstanceCount} instances, {server.State.BucketNames().Count} buckets); " +
                $"use endpoint: {server.Endpoint.ToString().TrimEnd('/')} in a profile's providers.aws, or --endpoint-url with awscli. Ctrl-C stops it.").ConfigureAwait(false);
            if (server.SiteEndpoint is { } site)
            {
                await context.Stderr.WriteLineAsync($"the fleet's site on {site} (GET /SERVICE: 200 while enough of its instances are running and reachable)").ConfigureAwait(false);
            }
            if (options.RequireKnownKeys && options.Fleet.Identities.Count == 0)
            {
                await context.Stderr.WriteLineAsync(
                    "note: the fleet lists no identities, so every signed request is refused as AWS refuses unknown keys; " +
                    "list identities in the fleet (samples/fleets/sandbox-fleet.yaml has two) or pass --any-key").ConfigureAwait(false);
            }
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        return ExitCodes.Ok;
    }
}
