using Simian.Core.Journal;
using Simian.Core.Providers;

namespace Simian.Cli;

/// <summary>Everything commands depend on, made in one place so tests can replace any of it.</summary>
public sealed record CliServices
{
    public required TimeProvider Time { get; init; }
    public required Func<string, string?> Env { get; init; }
    public required StatePaths State { get; init; }
    public required ProviderRegistry Registry { get; init; }
    public required ITerminal Terminal { get; init; }
    public required SignalHub Signals { get; init; }
    public required HttpClient Http { get; init; }
    /// <summary>Seed used when --seed is not given.</summary>
    public required Func<long> NewSeed { get; init; }
    /// <summary>How many times an undo is tried before it counts as failed.</summary>
    public int UndoAttempts { get; init; } = 6;

    /// <summary>
    /// Keeps this CLI's machine-wide target locks apart from other ones in the same kernel: tests that stand for two
    /// machines in one process. Runs use the default (empty).
    /// </summary>
    public string LockNamespace { get; init; } = "";

    /// <summary>Opens <c>--state s3://…</c> (with <c>--state-endpoint</c>); tests may replace it.</summary>
    public Func<string, string?, Simian.Core.Shared.ISharedState>? SharedStateOpener { get; init; }

    public Simian.Core.Shared.ISharedState OpenSharedState(string state, string? endpoint) =>
        SharedStateOpener?.Invoke(state, endpoint) ?? Composition.OpenSharedState(state, endpoint, Time, Env);

    /// <summary>How to start this program again (for services a profile runs as <c>simian ...</c>).</summary>
    public static string SelfCommand()
    {
        var path = Environment.ProcessPath ?? "simian";
        return Path.GetFileNameWithoutExtension(path) == "dotnet"
            ? $"'{path}' '{Path.Combine(AppContext.BaseDirectory, "simian.dll")}'"
            : $"'{path}'";
    }

    public static CliServices CreateDefault()
    {
        Func<string, string?> env = Environment.GetEnvironmentVariable;
        var signals = new SignalHub();
        signals.ListenToProcessSignals();
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1), UseProxy = false })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        return new CliServices
        {
            Time = TimeProvider.System,
            Env = env,
            State = StatePaths.FromEnvironment(env),
            Registry = Composition.CreateRegistry(http, TimeProvider.System, SelfCommand(), env),
            Terminal = new ConsoleTerminal(env),
            Signals = signals,
            Http = http,
            NewSeed = () => System.Security.Cryptography.RandomNumberGenerator.GetInt32(1, int.MaxValue),
        };
    }
}
