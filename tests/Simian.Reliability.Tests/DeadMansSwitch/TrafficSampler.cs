using System.Diagnostics;

namespace Simian.Reliability.Tests.DeadMansSwitch;

/// <summary>
/// Sends a request through the proxy every few milliseconds, each on a new TCP connection, together with the
/// same request straight to the upstream, and records when each pair started and how long each took: what the
/// proxy adds is the difference, so a test host that stalls (a busy machine) does not pass for the fault.
/// Runs until disposed.
/// </summary>
public sealed class TrafficSampler : IAsyncDisposable
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.Zero,
        MaxConnectionsPerServer = 256,
    })
    { Timeout = TimeSpan.FromSeconds(5) };

    private readonly List<Sample> _samples = [];
    private readonly List<Task> _inFlight = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly string _proxied;
    private readonly string _direct;
    private int _disposed;

    public TrafficSampler(string proxied, string direct, TimeSpan every)
    {
        _proxied = proxied;
        _direct = direct;
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(every);
            try
            {
                do
                {
                    lock (_inFlight)
                    {
                        _inFlight.RemoveAll(t => t.IsCompleted);
                        _inFlight.Add(OneAsync());
                    }
                }
                while (await timer.WaitForNextTickAsync(_stop.Token));
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    /// <summary>One pair: when it started (wall clock), and each latency, or null when that request failed.</summary>
    public sealed record Sample(DateTimeOffset Started, TimeSpan? Proxied, TimeSpan? Direct)
    {
        /// <summary>What the proxy added; null when either request failed.</summary>
        public TimeSpan? Added => Proxied - Direct;
    }

    public IReadOnlyList<Sample> Samples
    {
        get { lock (_samples) return [.. _samples.OrderBy(s => s.Started)]; }
    }

    private async Task OneAsync()
    {
        var started = DateTimeOffset.UtcNow;
        var proxied = TimeAsync(_proxied);
        var direct = TimeAsync(_direct);
        var sample = new Sample(started, await proxied, await direct);
        lock (_samples) _samples.Add(sample);
    }

    private static async Task<TimeSpan?> TimeAsync(string url)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.ConnectionClose = true;
            using var response = await Http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            return response.IsSuccessStatusCode ? clock.Elapsed : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Stops sending and waits for the requests in flight; safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync();
        await _loop;
        Task[] pending;
        lock (_inFlight) pending = [.. _inFlight];
        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
