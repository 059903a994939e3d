using Microsoft.Extensions.Time.Testing;
using Simian.Core.Journal;

namespace Simian.Cli.Tests.Support;

/// <summary>Runs the CLI in-process through <see cref="CliApp.RunAsync"/> with string writers and a private state folder.</summary>
public sealed class TestCli : IDisposable
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };

    public TestCli(TimeProvider? time = null, ITerminal? terminal = null, long seed = 42, IReadOnlyDictionary<string, string>? env = null)
    {
        StateDir = Directory.CreateTempSubdirectory("simian-test-").FullName;
        Time = time ?? TimeProvider.System;
        // Only what a test sets: the machine's own AWS variables or profiles must never leak into a test.
        var variables = new Dictionary<string, string>(env ?? new Dictionary<string, string>())
        {
            ["SIMIAN_STATE_DIR"] = StateDir,
            ["AWS_CONFIG_FILE"] = Path.Combine(StateDir, "no-aws-config"),
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(StateDir, "no-aws-credentials"),
        };
        Func<string, string?> lookup = name => variables.GetValueOrDefault(name);
        Services = new CliServices
        {
            Time = Time,
            Env = lookup,
            State = new StatePaths(StateDir),
            Registry = Composition.CreateRegistry(Http, Time, SelfCommand, lookup),
            Terminal = terminal ?? new ScriptedTerminal(),
            Signals = new SignalHub(),
            Http = Http,
            NewSeed = () => seed,
            UndoAttempts = 2,
        };
    }

    /// <summary>How a profile's `simian ...` services start the built CLI.</summary>
    public static string SelfCommand => $"dotnet '{Repo.SimianDll}'";

    public static FakeTimeProvider FixedTime() => new(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));

    public string StateDir { get; }

    public TimeProvider Time { get; }

    public CliServices Services { get; set; }

    public async Task<CliResult> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, Services);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    public IEnumerable<string> Journals() => Services.State.ExistingJournals();

    public void Dispose()
    {
        try { Directory.Delete(StateDir, recursive: true); } catch (IOException) { }
    }
}
