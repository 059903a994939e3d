using System.Diagnostics;
using Simian.Core.Profiles;

namespace Simian.Core.Probes;

/// <summary>Runs HTTP probes with a real HttpClient and command probes as real processes.</summary>
public sealed class ProbeRunner(HttpClient http, TimeProvider time) : IProbeRunner
{
    public Task<ProbeResult> RunAsync(ProbeSpec probe, CancellationToken cancellationToken) => probe switch
    {
        HttpProbeSpec h => HttpAsync(h, cancellationToken),
        CommandProbeSpec c => CommandAsync(c, cancellationToken),
        _ => throw new ArgumentException($"unknown probe kind {probe.GetType().Name}"),
    };

    private async Task<ProbeResult> HttpAsync(HttpProbeSpec p, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(p.Timeout);
        try
        {
            using var request = new HttpRequestMessage(new HttpMethod(p.Method), p.Url);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            var elapsed = time.GetElapsedTime(started);
            var status = (int)response.StatusCode;
            if (status != p.ExpectStatus)
            {
                return new(p.Name, false, elapsed, $"status {status}, expected {p.ExpectStatus} ({Ms(elapsed)})", time.GetUtcNow());
            }
            if (p.MaxLatency is { } max && elapsed > max)
            {
                return new(p.Name, false, elapsed, $"status {status} but took {Ms(elapsed)}, more than {Duration.Format(max)}", time.GetUtcNow());
            }
            return new(p.Name, true, elapsed, $"status {status} in {Ms(elapsed)}", time.GetUtcNow());
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var elapsed = time.GetElapsedTime(started);
            return new(p.Name, false, elapsed, $"no answer within {Duration.Format(p.Timeout)}", time.GetUtcNow());
        }
        catch (HttpRequestException e)
        {
            var elapsed = time.GetElapsedTime(started);
            return new(p.Name, false, elapsed, $"request failed: {Redaction.Text(e.Message)}", time.GetUtcNow());
        }
    }

    private async Task<ProbeResult> CommandAsync(CommandProbeSpec p, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var info = new ProcessStartInfo("/bin/sh")
        {
            WorkingDirectory = p.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(p.Run);
        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new(p.Name, false, TimeSpan.Zero, $"cannot start: {e.Message}", time.GetUtcNow());
        }
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(p.Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            if (cancellationToken.IsCancellationRequested) throw;
            return new(p.Name, false, time.GetElapsedTime(started), $"did not finish within {Duration.Format(p.Timeout)}", time.GetUtcNow());
        }
        var elapsed = time.GetElapsedTime(started);
        var output = Tail((await stderr.ConfigureAwait(false)) + (await stdout.ConfigureAwait(false)));
        return process.ExitCode == p.ExpectExit
            ? new(p.Name, true, elapsed, $"exit {process.ExitCode} in {Ms(elapsed)}", time.GetUtcNow())
            : new(p.Name, false, elapsed, $"exit {process.ExitCode}, expected {p.ExpectExit}{(output.Length > 0 ? ": " + output : "")}", time.GetUtcNow());
    }

    private static string Tail(string s)
    {
        // Masked before it is cut: a cut through `token=…` would leave a value without the name that marks it secret.
        s = Redaction.Text(s.Trim().ReplaceLineEndings(" "));
        return s.Length > 200 ? "…" + s[^200..] : s;
    }

    internal static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:0}ms";
}
