using Simian.Aws;
using Simian.Cli;
using Simian.Core.Journal;
using Simian.Core.Providers;
using Simian.Local;

namespace Simian.Reliability.Tests.Support;

/// <summary>Runs the CLI in-process through <see cref="CliApp.RunAsync"/> with string writers and a private state folder.</summary>
public sealed class TestCli : IDisposable
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <param name="aws">AWS retry tuning; null keeps the product's defaults (the registry from <see cref="Composition"/>).</param>
    public TestCli(IReadOnlyDictionary<string, string>? env = null, AwsProviderOptions? aws = null, long seed = 42)
    {
        StateDir = Directory.CreateTempSubdirectory("simian-rel-").FullName;
        // Only what a test sets: the machine's own AWS variables or profiles must never leak into a test.
        var variables = new Dictionary<string, string>(env ?? new Dictionary<string, string>())
        {
            ["SIMIAN_STATE_DIR"] = StateDir,
            ["AWS_CONFIG_FILE"] = Path.Combine(StateDir, "no-aws-config"),
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(StateDir, "no-aws-credentials"),
        };
        Func<string, string?> lookup = name => variables.GetValueOrDefault(name);
        var time = TimeProvider.System;
        Services = new CliServices
        {
            Time = time,
            Env = lookup,
            State = new StatePaths(StateDir),
            Registry = aws is null
                ? Composition.CreateRegistry(Http, time, SelfCommand, lookup)
                : new ProviderRegistry([new LocalProvider(Http, time, SelfCommand), new AwsProvider(time, lookup, aws)]),
            Terminal = new ScriptedTerminal(),
            Signals = new SignalHub(),
            Http = Http,
            NewSeed = () => seed,
            UndoAttempts = 2,
        };
    }

    /// <summary>How a profile's `simian ...` services start the built CLI.</summary>
    public static string SelfCommand => $"dotnet '{Repo.SimianDll}'";

    public string StateDir { get; }

    public CliServices Services { get; }

    public async Task<CliResult> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, Services);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Writes a file in the state folder and returns its path.</summary>
    public string Write(string name, string content)
    {
        var path = Path.Combine(StateDir, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(StateDir, recursive: true); } catch (IOException) { }
    }
}
