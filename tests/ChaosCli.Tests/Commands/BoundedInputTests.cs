using Simian.Cli.Tests.Support;
using Simian.Core;

namespace Simian.Cli.Tests.Commands;

/// <summary>Bounded input (issue 11): files a profile or a command line names are regular files of bounded size, or a clear error — never a hang.</summary>
public sealed class BoundedInputTests : IDisposable
{
    private readonly TestCli _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact(Timeout = 30_000)]
    public async Task A_pid_file_that_is_a_fifo_or_huge_is_a_provider_error_not_a_hang()
    {
        var fifo = TestFiles.Fifo(_cli.StateDir, "pid.fifo");
        var huge = Path.Combine(_cli.StateDir, "huge.pid");
        File.WriteAllText(huge, new string('1', 10_000));

        var fromFifo = await _cli.RunAsync("plan", PidProfile(fifo));
        var fromHuge = await _cli.RunAsync("plan", PidProfile(huge));

        Assert.Equal(ExitCodes.Provider, fromFifo.ExitCode);
        Assert.Contains("is a FIFO, not a regular file", fromFifo.Stderr);
        Assert.Equal(ExitCodes.Provider, fromHuge.ExitCode);
        Assert.Contains("larger than 64 bytes", fromHuge.Stderr);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_profile_fleet_or_proxy_config_that_is_a_fifo_is_refused_at_once()
    {
        var fifo = TestFiles.Fifo(_cli.StateDir, "input.fifo");

        var profile = await _cli.RunAsync("validate", fifo);
        var fleet = await _cli.RunAsync("sandbox", "--port", "0", "--fleet", fifo);
        var config = await _cli.RunAsync("proxy", "serve", "--control", "127.0.0.1:0", "--config", fifo);

        Assert.Equal(ExitCodes.Invalid, profile.ExitCode);
        Assert.Contains("is a FIFO, not a regular file", profile.Stdout + profile.Stderr);
        Assert.Equal(ExitCodes.Invalid, fleet.ExitCode);
        Assert.Contains("is a FIFO, not a regular file", fleet.Stderr);
        Assert.Equal(ExitCodes.Invalid, config.ExitCode);
        Assert.Contains("is a FIFO, not a regular file", config.Stderr);
    }

    [Fact(Timeout = 120_000)]
    public async Task An_aws_endpoint_that_answers_without_end_is_a_provider_error_not_a_memory_hog()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                System.Net.Sockets.Socket socket;
                try { socket = await listener.AcceptSocketAsync(stop.Token); }
                catch (OperationCanceledException) { return; }
                _ = Task.Run(async () =>
                {
                    using (socket)
                    {
                        await socket.ReceiveAsync(new byte[16 * 1024]);
                        await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nConnection: close\r\n\r\n<GetCallerIdentityResponse>"u8.ToArray());
                        var filler = new byte[256 * 1024];
                        Array.Fill(filler, (byte)' ');
                        try
                        {
                            while (!stop.IsCancellationRequested) await socket.SendAsync(filler);
                        }
                        catch (System.Net.Sockets.SocketException)
                        {
                        }
                    }
                });
            }
        });
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var profile = Path.Combine(_cli.StateDir, "endless.yaml");
        File.WriteAllText(profile, $$$"""
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: endless}
            providers:
              aws: {region: us-east-1, endpoint: "http://127.0.0.1:{{{port}}}" }
            targets:
              web: {type: aws:ec2:instance, selector: {tags: {app: web} } }
            method:
              - {name: reboot, fault: instance-reboot, target: web}
            """);
        using var cli = new TestCli(env: new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "AKIAENDLESSANSWER00", ["AWS_SECRET_ACCESS_KEY"] = "x" });

        var result = await cli.RunAsync("plan", profile);

        stop.Cancel();
        Assert.Equal(ExitCodes.Provider, result.ExitCode);
        Assert.Contains($"longer than the {Simian.Aws.Clients.BoundedHttpClientFactory.MaxResponseBytes} bytes simian reads", result.Stderr);
    }

    private string PidProfile(string pidFile)
    {
        var path = Path.Combine(_cli.StateDir, "pid.yaml");
        File.WriteAllText(path, $$$"""
            apiVersion: simian/v1
            kind: Experiment
            metadata: {name: pid}
            targets:
              s: {type: local:process, selector: {pidFile: "{{{pidFile}}}"}}
            method:
              - {name: freeze, fault: process-pause, target: s, duration: 1s}
            """);
        return path;
    }
}
