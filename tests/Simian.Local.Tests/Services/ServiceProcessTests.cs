using Simian.Core;
using Simian.Local.Services;

namespace Simian.Local.Tests.Services;

public sealed class ServiceProcessTests
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false });

    [Fact]
    public async Task A_service_is_started_waited_for_and_stopped()
    {
        var port = FreePort();
        // A real TCP listener in a real process: python3 is on the machine image; fall back to nc if not.
        var definition = new ServiceDefinition("echo", $"python3 -c \"import socket,time; s=socket.socket(); s.bind(('127.0.0.1',{port})); s.listen(); time.sleep(60)\"",
            $"tcp://127.0.0.1:{port}", TimeSpan.FromSeconds(10));
        var service = await ServiceProcess.StartAsync(definition, "simian", Http, TimeProvider.System, default);
        var pid = service.Pid;
        Assert.True(File.Exists($"/proc/{pid}/stat"));
        await service.DisposeAsync();
        Assert.False(File.Exists($"/proc/{pid}/cmdline") && File.ReadAllText($"/proc/{pid}/cmdline").Length > 0);
    }

    [Fact]
    public async Task A_service_that_exits_before_it_is_ready_is_a_provider_error()
    {
        var definition = new ServiceDefinition("broken", "sh -c 'exit 3'", "tcp://127.0.0.1:9", TimeSpan.FromSeconds(5));
        var e = await Assert.ThrowsAsync<ProviderException>(() => ServiceProcess.StartAsync(definition, "simian", Http, TimeProvider.System, default));
        Assert.Contains("exited with code 3", e.Message);
    }

    [Fact]
    public async Task A_service_that_never_becomes_ready_times_out_and_is_stopped()
    {
        var definition = new ServiceDefinition("slow", "sleep 30", "tcp://127.0.0.1:9", TimeSpan.FromMilliseconds(500));
        var e = await Assert.ThrowsAsync<ProviderException>(() => ServiceProcess.StartAsync(definition, "simian", Http, TimeProvider.System, default));
        Assert.Contains("was not ready", e.Message);
    }

    private static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }
}
