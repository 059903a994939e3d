using Simian.Cli;
using Simian.Core.Journal;

namespace Simian.CrashMatrix.Tests.Support;

/// <summary>Runs the CLI in-process through <see cref="CliApp.RunAsync"/> with string writers, for `recover`.</summary>
public sealed class TestCli
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };

    public TestCli(string stateDir, IReadOnlyDictionary<string, string> env)
    {
        // Only what a test sets: the machine's own AWS variables or profiles must never leak into a test.
        var variables = new Dictionary<string, string>(env)
        {
            ["SIMIAN_STATE_DIR"] = stateDir,
            ["AWS_CONFIG_FILE"] = Path.Combine(stateDir, "no-aws-config"),
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(stateDir, "no-aws-credentials"),
        };
        Func<string, string?> lookup = name => variables.GetValueOrDefault(name);
        Services = new CliServices
        {
            Time = TimeProvider.System,
            Env = lookup,
            State = new StatePaths(stateDir),
            Registry = Composition.CreateRegistry(Http, TimeProvider.System, $"dotnet '{Repo.SimianDll}'", lookup),
            Terminal = new ScriptedTerminal(),
            Signals = new SignalHub(),
            Http = Http,
            NewSeed = () => 42,
            UndoAttempts = 2,
        };
    }

    public CliServices Services { get; }

    public async Task<CliResult> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, Services);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }
}
