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
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            // The body is read (a probe measures the whole answer) but not kept beyond a cap: a server that answers
            // without end costs the probe its timeout, never simian's memory.
            await using (var body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false))
            {
                await BoundedOutput.DrainAsync(body, timeout.Token).ConfigureAwait(false);
            }
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
        // At most the last 64 KiB of each stream is kept (the rest is counted and dropped), whatever the command prints.
        var stdout = BoundedOutput.DrainAsync(process.StandardOutput.BaseStream, cancellationToken);
        var stderr = BoundedOutput.DrainAsync(process.StandardError.BaseStream, cancellationToken);
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
        var output = Tail((await stderr.ConfigureAwait(false)).Text + (await stdout.ConfigureAwait(false)).Text);
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

    /// <summary>Reads a stream to its end keeping only its last bytes: probe output a server or command controls.</summary>
    internal static class BoundedOutput
    {
        public const int KeepBytes = 64 * 1024;

        public static async Task<(string Text, long Total)> DrainAsync(Stream stream, CancellationToken cancellationToken)
        {
            var kept = new byte[KeepBytes];
            var chunk = new byte[16 * 1024];
            long total = 0;
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                // A ring: the newest KeepBytes bytes stay, older ones are counted and forgotten.
                for (var i = 0; i < read; i++) kept[(total + i) % KeepBytes] = chunk[i];
                total += read;
            }
            var length = (int)Math.Min(total, KeepBytes);
            var start = total <= KeepBytes ? 0 : (int)(total % KeepBytes);
            var ordered = new byte[length];
            for (var i = 0; i < length; i++) ordered[i] = kept[(start + i) % KeepBytes];
            return (System.Text.Encoding.UTF8.GetString(ordered), total);
        }
    }

    internal static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:0}ms";
}
