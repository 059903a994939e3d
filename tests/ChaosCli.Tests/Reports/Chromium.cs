using System.Diagnostics;
using Xunit.Abstractions;

namespace Simian.Cli.Tests.Reports;

/// <summary>Headless Chromium (Debian's <c>chromium</c> package) run as a bounded child process.</summary>
public sealed class Chromium
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    private Chromium(string path) => Path = path;

    public string Path { get; }

    /// <summary>Chromium if installed; else null, or a failure when running in CI, where it must be there.</summary>
    public static Chromium? FindOrFailInCi(ITestOutputHelper output)
    {
        var candidates = new List<string> { "/usr/bin/chromium", "/usr/bin/chromium-browser" };
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            candidates.Add(System.IO.Path.Combine(dir, "chromium"));
        }
        var found = candidates.FirstOrDefault(File.Exists);
        if (found is not null) return new Chromium(found);
        var ci = Environment.GetEnvironmentVariable("CI");
        if (string.Equals(ci, "true", StringComparison.OrdinalIgnoreCase) || ci == "1")
        {
            Assert.Fail("chromium is not installed but CI=true: install Debian's `chromium` package (apt-get install -y chromium)");
        }
        output.WriteLine("chromium not found (apt-get install -y chromium); not rendering the report in a browser");
        return null;
    }

    public async Task ScreenshotAsync(string page, string png, string workDir)
    {
        var (code, _, stderr) = await RunAsync(workDir, $"--screenshot={png}", "--window-size=1200,900", new Uri(page).AbsoluteUri);
        Assert.True(code == 0 && File.Exists(png), $"chromium --screenshot exited {code}:\n{Tail(stderr)}");
    }

    public async Task<string> DumpDomAsync(string page, string workDir)
    {
        var (code, stdout, stderr) = await RunAsync(workDir, "--dump-dom", "--window-size=1200,900", new Uri(page).AbsoluteUri);
        Assert.True(code == 0, $"chromium --dump-dom exited {code}:\n{Tail(stderr)}");
        return stdout;
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(string workDir, params string[] args)
    {
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars",
            // A fresh profile each time: no state shared between tests or with anyone's browser.
            "--user-data-dir=" + System.IO.Path.Combine(workDir, "profile-" + Guid.NewGuid().ToString("N")),
        })
        {
            start.ArgumentList.Add(a);
        }
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start chromium");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"chromium did not finish within {Limit.TotalSeconds}s: {string.Join(' ', args)}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string Tail(string text) => text.Length > 3000 ? text[^3000..] : text;
}
