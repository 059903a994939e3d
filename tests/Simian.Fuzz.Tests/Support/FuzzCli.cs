using Simian.Cli;
using Simian.Core.Journal;

namespace Simian.Fuzz.Tests.Support;

/// <summary>The real CLI in-process (<see cref="CliApp.RunAsync"/>) with string writers and a private state folder.</summary>
public sealed class FuzzCli : IDisposable
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };

    public FuzzCli(TimeProvider? time = null, long seed = 42)
    {
        StateDir = Directory.CreateTempSubdirectory("simian-fuzz-").FullName;
        var variables = new Dictionary<string, string>
        {
            ["SIMIAN_STATE_DIR"] = StateDir,
            ["AWS_CONFIG_FILE"] = Path.Combine(StateDir, "no-aws-config"),
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(StateDir, "no-aws-credentials"),
        };
        Func<string, string?> env = name => variables.GetValueOrDefault(name);
        var clock = time ?? TimeProvider.System;
        Services = new CliServices
        {
            Time = clock,
            Env = env,
            State = new StatePaths(StateDir),
            Registry = Composition.CreateRegistry(Http, clock, "simian", env),
            Terminal = new ScriptedTerminal(),
            Signals = new SignalHub(),
            Http = Http,
            NewSeed = () => seed,
            UndoAttempts = 1,
        };
    }

    public string StateDir { get; }

    public CliServices Services { get; }

    public async Task<CliResult> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, Services);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    public void Dispose()
    {
        try { Directory.Delete(StateDir, recursive: true); } catch (IOException) { }
    }
}

public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Cut(Stdout)}\n--- stderr\n{Cut(Stderr)}";

    private static string Cut(string s) => s.Length > 4000 ? s[..4000] + $"… ({s.Length} chars)" : s;
}
