using System.Diagnostics;
using System.Text.Json;

namespace Simian.Sandbox.Tests.TestSupport;

/// <summary>
/// Debian's boto3 (python3-boto3 under /usr/bin/python3): a second AWS client nobody here wrote. A test hands it a
/// Python snippet that has <c>client(name)</c> (a boto3 client aimed at the sandbox, retries off) and ends with a
/// <c>result</c>; the helper prints it as JSON. Missing outside CI, a test passes vacuously; under CI=true it fails.
/// </summary>
internal static class Boto3
{
    public const string Python = "/usr/bin/python3";

    private const string Prelude = """
        import json, sys, boto3, botocore.config, botocore.exceptions
        endpoint = sys.argv[1]
        def client(name):
            return boto3.client(name, endpoint_url=endpoint, region_name="us-east-1",
                config=botocore.config.Config(retries={"max_attempts": 1}, signature_version="v4"))
        def error(call):
            try:
                call()
            except botocore.exceptions.ClientError as e:
                return {"Code": e.response["Error"]["Code"], "Message": e.response["Error"].get("Message", ""),
                        "Status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
            return None
        result = None

        """;

    /// <summary>Null when Debian's boto3 is not installed (and CI does not require it).</summary>
    public static string? Missing()
    {
        if (File.Exists(Python) && File.Exists("/usr/lib/python3/dist-packages/boto3/__init__.py")) return null;
        Assert.False(
            string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase),
            "boto3 is required under CI=true: apt-get install -y python3-boto3");
        return "python3-boto3 is not installed; nothing to check outside CI.";
    }

    /// <summary>Runs <paramref name="code"/> against the sandbox; returns <c>result</c> parsed as JSON.</summary>
    public static async Task<JsonElement> RunAsync(string endpoint, string accessKey, string secret, string code)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Prelude + code.Replace("\r", "") + "\nprint(json.dumps(result, default=str))\n");
        start.ArgumentList.Add(endpoint);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal) || k.StartsWith("PYTHON", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = accessKey;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = secret;
        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment["PYTHONNOUSERSITE"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start python3");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("boto3 did not finish within 90 s");
        }

        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"boto3 exited {process.ExitCode}: {await stderr}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }
}
