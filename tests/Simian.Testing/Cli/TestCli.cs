using Microsoft.Extensions.Time.Testing;
using Simian.Aws;
using Simian.Cli;
using Simian.Core.Journal;
using Simian.Core.Providers;
using Simian.Local;

namespace Simian.Testing;

/// <summary>
/// Runs the CLI in-process through <see cref="CliApp.RunAsync"/> with string writers and a private state folder.
/// The one copy: compiled into each test project that references the CLI (see Simian.Testing.csproj), so that
/// Simian.Testing itself does not depend on it.
/// </summary>
public sealed class TestCli : IDisposable
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly bool _ownsStateDir;

    /// <param name="env">The only environment the CLI sees: the machine's own AWS variables and profiles never leak in.</param>
    /// <param name="stateDir">A state folder to use (and leave behind); by default a fresh one, removed on dispose.</param>
    /// <param name="aws">AWS retry tuning; null keeps the product's defaults (the registry from <see cref="Composition"/>).</param>
    public TestCli(TimeProvider? time = null, ITerminal? terminal = null, long seed = 42, IReadOnlyDictionary<string, string>? env = null,
        string? stateDir = null, AwsProviderOptions? aws = null, int undoAttempts = 2)
    {
        _ownsStateDir = stateDir is null;
        StateDir = stateDir ?? Directory.CreateTempSubdirectory("simian-test-").FullName;
        Time = time ?? TimeProvider.System;
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
            Registry = aws is null
                ? Composition.CreateRegistry(Http, Time, SelfCommand, lookup)
                : new ProviderRegistry([new LocalProvider(Http, Time, SelfCommand), new AwsProvider(Time, lookup, aws)]),
            Terminal = terminal ?? new ScriptedTerminal(),
            Signals = new SignalHub(),
            Http = Http,
            NewSeed = () => seed,
            UndoAttempts = undoAttempts,
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

    /// <summary>Writes a file in the state folder and returns its path.</summary>
    public string Write(string name, string content)
    {
        var path = Path.Combine(StateDir, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        if (!_ownsStateDir) return;
        try { Directory.Delete(StateDir, recursive: true); } catch (IOException) { }
    }
}
