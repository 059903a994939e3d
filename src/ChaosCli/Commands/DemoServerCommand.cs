using System.CommandLine;
using System.Net;
using System.Text;
using Simian.Core;

namespace Simian.Cli.Commands;

/// <summary>
/// <c>simian demo-server --port N</c> (hidden): a tiny real HTTP service on loopback for the quickstart and
/// tests to break and watch recover. Answers <c>/health</c> with 200.
/// </summary>
public static class DemoServerCommand
{
    public static Command Create(CliContext context)
    {
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1", DefaultValueFactory = _ => 18080 };
        var command = new Command("demo-server", "Serve a small HTTP service on 127.0.0.1 for demos") { port };
        command.Hidden = true;
        command.SetAction(async (parse, ct) => await RunAsync(context, parse.GetValue(port), ct).ConfigureAwait(false));
        return command;
    }

    public static async Task<int> RunAsync(CliContext context, int port, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var attached = context.Services.Signals.Attach(stop);
        using var listener = Listen(port);
        await context.Stderr.WriteLineAsync($"demo-server listening on http://127.0.0.1:{port}/ (GET /health)").ConfigureAwait(false);
        using var registration = stop.Token.Register(listener.Stop);
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext request;
            try
            {
                request = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                break;
            }
            _ = Task.Run(() => Answer(request));
        }
        return ExitCodes.Ok;
    }

    private static HttpListener Listen(int port)
    {
        try
        {
            return Simian.Shared.HttpListenerStarter.Start([$"http://127.0.0.1:{port}/"]);
        }
        catch (HttpListenerException e)
        {
            throw new InvalidInputException($"cannot listen on 127.0.0.1:{port}: {e.Message}; another program has that port: choose another with --port " +
                "(in a profile, change the port in the service's run and ready lines, the proxy's upstream, and the probe)");
        }
    }

    private static void Answer(HttpListenerContext context)
    {
        try
        {
            var path = context.Request.Url?.AbsolutePath ?? "/";
            var body = Encoding.UTF8.GetBytes(path == "/health" ? "ok\n" : "hello from simian demo-server\n");
            context.Response.StatusCode = path is "/health" or "/" ? 200 : 404;
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength64 = body.Length;
            context.Response.OutputStream.Write(body);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client went away; nothing to do.
        }
    }
}
