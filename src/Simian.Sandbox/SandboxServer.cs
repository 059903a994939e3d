using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Simian.Sandbox.Admin;
using Simian.Sandbox.Auth;
using Simian.Sandbox.Ec2;
using Simian.Sandbox.Faults;
using Simian.Sandbox.Http;
using Simian.Sandbox.S3;
using Simian.Sandbox.Sts;

namespace Simian.Sandbox;

/// <summary>An AWS-compatible endpoint (EC2, S3, STS on one port) bound to 127.0.0.1.</summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly RequestDispatcher _dispatcher;
    private readonly FaultInjector _faults;
    private readonly TextWriter? _log;
    private readonly long _maxBodyBytes;
    private readonly ConcurrentDictionary<long, Task> _inFlight = new();
    private Site.SiteServer? _site;
    private readonly CancellationTokenSource _stopping = new();
    private Task _acceptLoop = Task.CompletedTask;
    private long _requests;
    private int _stopped;

    private SandboxServer(
        HttpListener listener, int port, RequestDispatcher dispatcher, FaultInjector faults, SandboxState state, SandboxOptions options)
    {
        _listener = listener;
        _dispatcher = dispatcher;
        _faults = faults;
        _log = options.Log is null ? null : TextWriter.Synchronized(options.Log);
        _maxBodyBytes = options.MaxBodyBytes;
        State = state;
        Endpoint = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
    }

    /// <summary>The base URL to give SDK clients as ServiceURL (and aws-cli as --endpoint-url).</summary>
    public Uri Endpoint { get; }

    /// <summary>The live instances, buckets, faults and call counts.</summary>
    public SandboxState State { get; }

    public static async Task<SandboxServer> StartAsync(SandboxOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ct.ThrowIfCancellationRequested();
        var fleet = options.Fleet;
        fleet.Validate();
        var faults = new FaultInjector(new Random(options.Seed), new SandboxFaults(options.ThrottleRate, options.ErrorRate));
        var instances = new Ec2InstanceStore(fleet, options.TimeProvider, options.TransitionDelay);
        var groups = new AutoScaling.AutoScalingModel(instances, fleet);
        instances.Attach(groups);
        var buckets = new S3BucketStore(fleet, options.TimeProvider.GetUtcNow());
        var network = new Ec2.Network.NetworkStore(fleet, instances.All.Select(i => (i.SubnetId, i.VpcId, i.Zone)));
        // A replacement goes into the group's own subnet in the zone it is launched in.
        groups.SubnetIn = (group, zone) => group.SubnetIds.FirstOrDefault(id => network.Subnets.FirstOrDefault(s => s.Id == id)?.Zone == zone);
        var state = new SandboxState(instances, buckets, faults, groups, network);
        var dispatcher = new RequestDispatcher(
            new Ec2Service(instances, network, fleet.Account, fleet.Region),
            new S3Service(buckets, options.TimeProvider, fleet.Region, fleet.Account),
            new StsService(),
            new AutoScaling.AutoScalingService(instances, groups, network),
            new AdminService(state, faults),
            new IdentityDirectory(fleet.Identities),
            faults,
            state,
            options.TimeProvider,
            options.RequireKnownKeys,
            new Sso.SsoService(fleet.Identities, fleet.Account, options.TimeProvider));

        var (listener, port) = Listen(options.Port);
        var server = new SandboxServer(listener, port, dispatcher, faults, state, options);
        try
        {
            server._site = fleet.Site is { } site ? Site.SiteServer.Start(site, state, Listen) : null;
        }
        catch (HttpListenerException e)
        {
            await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
            throw new HttpListenerException(e.ErrorCode, $"the fleet's site cannot listen on port {fleet.Site!.Port}: {e.Message}");
        }
        server._acceptLoop = Task.Run(server.AcceptLoopAsync, CancellationToken.None);
        return server;
    }

    /// <summary>Requests accepted and not yet answered.</summary>
    public int InFlight => _inFlight.Count;

    /// <summary>Changes the injected fault rates of the running sandbox.</summary>
    public void SetFaults(SandboxFaults faults) => _faults.Set(faults);

    public async Task StopAsync(CancellationToken ct = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        StopListener(_listener.Stop);
        try
        {
            await _acceptLoop.WaitAsync(ct).ConfigureAwait(false);
            await Task.WhenAll(_inFlight.Values).WaitAsync(TimeSpan.FromSeconds(5), ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Requests still running after the grace period are cut off when the listener closes.
        }
        finally
        {
            StopListener(_listener.Close);
            _stopping.Dispose();
            if (_site is not null) await _site.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stopping never fails the caller: the managed HttpListener can throw "Address already in use" while it
    /// unregisters a prefix whose port another listener has just taken (seen with many sandboxes on port 0).
    /// </summary>
    private static void StopListener(Action stop)
    {
        try
        {
            stop();
        }
        catch (HttpListenerException)
        {
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>Where the fleet's site answers (GET /SERVICE), or null when the fleet declares none.</summary>
    public Uri? SiteEndpoint => _site?.Endpoint;

    private static (HttpListener Listener, int Port) Listen(int port)
    {
        for (var attempt = 0; ; attempt++)
        {
            var candidate = port != 0 ? port : FreePort();
            try
            {
                var listener = Simian.Shared.HttpListenerStarter.Start([
                    $"http://127.0.0.1:{candidate.ToString(CultureInfo.InvariantCulture)}/",
                    $"http://localhost:{candidate.ToString(CultureInfo.InvariantCulture)}/",
                ]);
                return (listener, candidate);
            }
            catch (HttpListenerException) when (port == 0 && attempt < 20)
            {
                // Another process took the free port in between: try another.
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var id = Interlocked.Increment(ref _requests);
            var task = Task.Run(() => ServeAsync(context, id));
            _inFlight[id] = task;
            _ = task.ContinueWith(_ => _inFlight.TryRemove(id, out var _), TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(HttpListenerContext context, long number)
    {
        var requestId = string.Create(CultureInfo.InvariantCulture, $"5a9d1c00-0000-4000-8000-{number:x12}");
        var response = context.Response;
        try
        {
            var request = await ReadAsync(context.Request).ConfigureAwait(false);
            var answer = request is null
                ? SandboxResponse.Empty(413)
                : _dispatcher.Dispatch(request, requestId);
            _log?.WriteLine($"{context.Request.HttpMethod} {context.Request.RawUrl} -> {answer.Status} {answer.Action}");
            await WriteAsync(response, answer, context.Request.HttpMethod == "HEAD").ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client went away; nothing is left to answer.
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
            {
            }
        }
    }

    private async Task<SandboxRequest?> ReadAsync(HttpListenerRequest request)
    {
        if (request.ContentLength64 > _maxBodyBytes)
        {
            return null;
        }

        var body = new MemoryStream(request.ContentLength64 > 0 ? (int)request.ContentLength64 : 0);
        if (request.HasEntityBody)
        {
            var buffer = new byte[81920];
            int read;
            while ((read = await request.InputStream.ReadAsync(buffer, _stopping.Token).ConfigureAwait(false)) > 0)
            {
                body.Write(buffer, 0, read);
                if (body.Length > _maxBodyBytes)
                {
                    return null;
                }
            }
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in request.Headers.AllKeys)
        {
            if (name is not null && request.Headers[name] is { } value)
            {
                headers[name] = value;
            }
        }

        return new SandboxRequest(request.HttpMethod, request.RawUrl ?? "/", headers, body.ToArray());
    }

    private static async Task WriteAsync(HttpListenerResponse response, SandboxResponse answer, bool head)
    {
        response.StatusCode = answer.Status;
        if (answer.ContentType is not null)
        {
            response.ContentType = answer.ContentType;
        }

        foreach (var (name, value) in answer.Headers)
        {
            response.AppendHeader(name, value);
        }

        if (head)
        {
            response.ContentLength64 = answer.HeadContentLength ?? 0;
        }
        else if (answer.StreamBody is { } stream)
        {
            using var body = new SpillToChunked(response, SpillToChunked.DefaultLimit);
            stream(body);
            body.Finish();
        }
        else
        {
            response.ContentLength64 = answer.Body.Length;
            await response.OutputStream.WriteAsync(answer.Body).ConfigureAwait(false);
        }
    }
}
