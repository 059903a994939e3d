using Simian.Core;
using Simian.Local.Services;

namespace Simian.Local.Tests.Services;

public sealed class ServiceProcessTests
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false });

    [Fact]
    public async Task A_service_is_started_waited_for_and_stopped()
    {
        var port = Wait.FreePort();
        // A real TCP listener in a real process: python3 is on the machine image; fall back to nc if not.
        var definition = new ServiceDefinition("echo", $"python3 -c \"import socket,time; s=socket.socket(); s.bind(('127.0.0.1',{port})); s.listen(); time.sleep(60)\"",
            $"tcp://127.0.0.1:{port}", TimeSpan.FromSeconds(10));
        var service = await ServiceProcess.StartAsync(definition, "simian", "test/service", Http, TimeProvider.System, default);
        var pid = service.Pid;
        Assert.True(File.Exists($"/proc/{pid}/stat"));
        await service.DisposeAsync();
        Assert.False(File.Exists($"/proc/{pid}/cmdline") && File.ReadAllText($"/proc/{pid}/cmdline").Length > 0);
    }

    [Fact]
    public async Task A_service_that_exits_before_it_is_ready_is_a_provider_error()
    {
        var definition = new ServiceDefinition("broken", "sh -c 'exit 3'", "tcp://127.0.0.1:9", TimeSpan.FromSeconds(5));
        var e = await Assert.ThrowsAsync<ProviderException>(() => ServiceProcess.StartAsync(definition, "simian", "test/service", Http, TimeProvider.System, default));
        Assert.Contains("exited with code 3", e.Message);
    }

    [Fact]
    public async Task A_service_that_never_becomes_ready_times_out_and_is_stopped()
    {
        var definition = new ServiceDefinition("slow", "sleep 30", "tcp://127.0.0.1:9", TimeSpan.FromMilliseconds(500));
        var e = await Assert.ThrowsAsync<ProviderException>(() => ServiceProcess.StartAsync(definition, "simian", "test/service", Http, TimeProvider.System, default));
        Assert.Contains("was not ready", e.Message);
    }

    [Fact]
    public async Task A_service_that_exits_before_it_is_ready_shows_its_own_last_lines_of_stderr()
    {
        var definition = new ServiceDefinition("broken", "sh -c 'echo starting >&2; echo \"bind: address already in use\" >&2; exit 7'", "tcp://127.0.0.1:9", TimeSpan.FromSeconds(5));
        var e = await Assert.ThrowsAsync<ProviderException>(() => ServiceProcess.StartAsync(definition, "simian", "test/service", Http, TimeProvider.System, default));
        Assert.Contains("exited with code 7", e.Message);
        Assert.Contains("| starting", e.Message);
        Assert.Contains("| bind: address already in use", e.Message);
    }

    [Fact]
    public async Task The_undo_stops_every_process_carrying_the_runs_marker_and_nothing_else()
    {
        // A service that forks a child, as shells and supervisors do; recover knows neither pid, only the marker.
        var marker = ServiceFault.Marker("run" + Guid.NewGuid().ToString("N")[..8], "svc");
        var definition = new ServiceDefinition("svc", "sh -c 'sleep 300 & sleep 300'", null, TimeSpan.FromSeconds(5));
        var service = await ServiceProcess.StartAsync(definition, "simian", marker, Http, TimeProvider.System, default);
        using var bystander = System.Diagnostics.Process.Start("sleep", "300");
        try
        {
            var entry = $"{ServiceFault.MarkerVariable}={marker}";
            await Simian.Testing.Wait.UntilAsync(() => Simian.Local.Processes.ProcFs.WithEnvironment(entry).Count == 3, TimeSpan.FromSeconds(10), "the service's shell and its two sleeps");
            var undo = new Simian.Core.Providers.UndoContext("r", "svc", new Dictionary<string, string>(), ServiceFault.UndoRecord(marker.Split('/')[0], "svc"),
                new Dictionary<string, string>(), TimeProvider.System);

            Assert.Equal(Simian.Core.Providers.UndoOutcome.Restored, await new ServiceFault().UndoAsync(undo, default));
            Assert.Empty(Simian.Local.Processes.ProcFs.WithEnvironment(entry));
            Assert.False(bystander.HasExited);
            Assert.Equal(Simian.Core.Providers.UndoOutcome.NothingToUndo, await new ServiceFault().UndoAsync(undo, default));
        }
        finally
        {
            bystander.Kill();
            await service.DisposeAsync();
        }
    }
}
