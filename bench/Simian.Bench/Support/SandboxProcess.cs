using System.Diagnostics;
using System.Text.Json;

namespace Simian.Bench.Support;

/// <summary><c>simian sandbox</c> as its own process on a free loopback port, with the credentials its fleet lists.</summary>
public sealed class SandboxProcess : IAsyncDisposable
{
    /// <summary>The identity the benchmark fleets list; the same one samples/fleets/sandbox-fleet.yaml uses.</summary>
    public static readonly IReadOnlyDictionary<string, string> Credentials = new Dictionary<string, string>
    {
        ["AWS_ACCESS_KEY_ID"] = "AKIASIMIANGAMEDAY",
        ["AWS_SECRET_ACCESS_KEY"] = "sandbox-game-day-secret",
        ["AWS_REGION"] = "us-east-1",
        ["AWS_DEFAULT_REGION"] = "us-east-1",

        // No instance-metadata lookups (they would leave loopback), no pager, no user config files.
        ["AWS_EC2_METADATA_DISABLED"] = "true",
        ["AWS_PAGER"] = "",
        ["AWS_CONFIG_FILE"] = "/nonexistent/simian-bench/config",
        ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/simian-bench/credentials",
    };

    public const string IdentityYaml =
        """{accessKeyId: AKIASIMIANGAMEDAY, secretAccessKey: sandbox-game-day-secret, arn: "arn:aws:sts::123456789012:assumed-role/GameDay/simian", userId: "AROASIMIANGAMEDAY:simian"}""";

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private SandboxProcess(ChildProcess process, string endpoint, double startSeconds)
    {
        Process = process;
        Endpoint = endpoint;
        StartSeconds = startSeconds;
    }

    public ChildProcess Process { get; }

    /// <summary>Such as http://127.0.0.1:45123 (no trailing slash).</summary>
    public string Endpoint { get; }

    /// <summary>From launch until the first answer: mostly expanding the fleet.</summary>
    public double StartSeconds { get; }

    public static async Task<SandboxProcess> StartAsync(string simian, string fleetPath)
    {
        var port = Loopback.FreePort();
        var start = Stopwatch.GetTimestamp();
        // No transition delay: the benchmarks time simian, not the seconds an emulated instance takes to stop or start.
        string[] arguments = ["sandbox", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--fleet", fleetPath, "--transition-delay", "0s"];
        // A fleet with a site (the sample's, on a fixed port) serves it on a free port: never a clash with a sandbox already running.
        if (File.ReadAllText(fleetPath).Contains("\nsite:", StringComparison.Ordinal)) arguments = [.. arguments, "--site-port", "0"];
        var process = ChildProcess.Start(simian, arguments);
        var endpoint = $"http://127.0.0.1:{port}";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            if (process.Process.HasExited)
            {
                throw new BenchFailedException($"simian sandbox exited with {process.Process.ExitCode}\n{process.Describe()}");
            }

            try
            {
                using var response = await http.GetAsync(endpoint + "/_sandbox/faults").ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return new SandboxProcess(process, endpoint, Ticks.SinceMs(start) / 1000);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Still loading the fleet.
            }

            if (DateTime.UtcNow > deadline)
            {
                await process.DisposeAsync().ConfigureAwait(false);
                throw new BenchFailedException($"simian sandbox did not answer within 3 minutes\n{process.Describe()}");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    /// <summary>GET /_sandbox/state: every instance with its state, every bucket with its raw policy.</summary>
    public async Task<JsonDocument> StateAsync(CancellationToken cancellationToken = default)
    {
        var text = await _http.GetStringAsync(Endpoint + "/_sandbox/state", cancellationToken).ConfigureAwait(false);
        return JsonDocument.Parse(text);
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
    }
}
