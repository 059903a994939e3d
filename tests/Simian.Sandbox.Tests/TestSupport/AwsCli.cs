using System.Diagnostics;

namespace Simian.Sandbox.Tests.TestSupport;

/// <summary>Finds installed aws-cli binaries and runs them against a sandbox with credentials from the environment only.</summary>
internal static class AwsCli
{
    public const string Missing = "(aws-cli not installed)";

    /// <summary>Debian's aws-cli v2 at /usr/bin/aws and whatever `aws` PATH finds (often a pip v1), without duplicates.</summary>
    public static IReadOnlyList<string> Installed()
    {
        var candidates = new List<string> { "/usr/bin/aws" };
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            candidates.Add(Path.Combine(dir, "aws"));
        }

        return candidates
            .Where(File.Exists)
            .DistinctBy(RealPath, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Resolves symbolic links in every component (/bin/aws and /usr/bin/aws are one file on merged-usr systems).</summary>
    private static string RealPath(string path)
    {
        var resolved = "/";
        foreach (var part in Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(resolved, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            resolved = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? next;
        }

        return resolved;
    }

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string binary, string endpoint, string accessKey, string secret, params string[] args)
    {
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add("--endpoint-url");
        start.ArgumentList.Add(endpoint);
        start.ArgumentList.Add("--region");
        start.ArgumentList.Add("us-east-1");
        start.ArgumentList.Add("--output");
        start.ArgumentList.Add("json");
        foreach (var name in new[] { "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_STS" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = accessKey;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = secret;
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment["AWS_PAGER"] = "";
        start.Environment["AWS_CLI_AUTO_PROMPT"] = "off";
        start.Environment["AWS_MAX_ATTEMPTS"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {binary}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{binary} {string.Join(' ', args)} did not finish within 60 s");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
