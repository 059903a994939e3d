using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Simian.Core.Profiles;
using Simian.Fuzz.Tests.Support;
using Xunit.Abstractions;

namespace Simian.Fuzz.Tests.Hostile;

/// <summary>
/// Hostile profiles through the loader in-process and a sample of them through <c>simian validate</c>: nothing
/// escapes, nothing hangs, every diagnostic has a place, the CLI exits 0 or 2, and memory stays flat.
/// Reproduce a run with SIMIAN_FUZZ_SEED=&lt;seed&gt;; more cases with SIMIAN_LONG_TESTS=1.
/// </summary>
public sealed class ProfileFuzzTests(ITestOutputHelper output) : IDisposable
{
    public const int FixedSeed = 20_260_101;
    // Cases take milliseconds; the margin is for a CI box running other suites at once. A hang never finishes.
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(5);
    private static readonly long HeapGrowthLimit = 256L * 1024 * 1024;
    private static readonly long WorkingSetLimit = 1024L * 1024 * 1024;
    private static readonly long PerCaseAllocationLimit = 512L * 1024 * 1024;

    private readonly TestCli _cli = new(undoAttempts: 1);
    private readonly string _dir = Directory.CreateTempSubdirectory("simian-fuzz-cases-").FullName;

    [Fact]
    public async Task Mutated_profiles_never_escape_hang_lose_a_location_or_grow_memory()
    {
        var seed = FuzzSettings.Seed(FixedSeed);
        var cases = FuzzSettings.Cases(ci: 30_000, longRun: 200_000);
        var cliEvery = 100;
        var mutator = ProfileMutator.FromRepo();
        var loader = new ProfileLoader(_cli.Services.Registry);
        var stats = new FuzzStats();
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < cases; i++)
        {
            var c = mutator.Make(seed, i);
            var outcome = await CheckInProcessAsync(loader, c.Bytes, $"case-{i}.yaml", c.ToString(), stats);
            if (outcome is not null && i % cliEvery == 0) await CheckThroughCliAsync(c, outcome, stats);
            if (i % 1000 == 999) stats.SampleMemory();
            // A hung case keeps running on its thread: stop before more of them pile up.
            if (stats.Hung) break;
        }
        stats.SampleMemory();
        Finish(stats, "profile fuzzer", seed, clock.Elapsed, minimumCases: 10_000);
    }

    [Fact]
    public async Task Every_truncation_of_every_seed_profile_is_reported_with_a_location()
    {
        var step = FuzzSettings.Long ? 1 : 7;
        var loader = new ProfileLoader(_cli.Services.Registry);
        var stats = new FuzzStats();
        var clock = Stopwatch.StartNew();
        foreach (var path in RepoFiles.SeedProfiles())
        {
            var bytes = File.ReadAllBytes(path);
            var name = Path.GetRelativePath(RepoFiles.Root, path);
            for (var n = 0; n <= bytes.Length; n += step)
            {
                await CheckInProcessAsync(loader, bytes[..n], "truncated.yaml", $"{name} cut at byte {n}", stats);
            }
        }
        stats.SampleMemory();
        Finish(stats, $"truncation (every {step} bytes)", 0, clock.Elapsed, minimumCases: 1000);
    }

    [Fact]
    public async Task Every_hostile_value_in_every_slot_of_every_seed_profile_is_handled()
    {
        var stride = FuzzSettings.Long ? 1 : 3;
        var loader = new ProfileLoader(_cli.Services.Registry);
        var stats = new FuzzStats();
        var clock = Stopwatch.StartNew();
        foreach (var (describe, bytes) in ProfileMutator.FromRepo().Substitutions(stride))
        {
            await CheckInProcessAsync(loader, bytes, "substituted.yaml", describe, stats);
            if (stats.Hung) break;
        }
        stats.SampleMemory();
        Finish(stats, $"value substitution (1 in {stride})", 0, clock.Elapsed, minimumCases: 10_000);
    }

    [Fact]
    public async Task A_ten_megabyte_profile_is_refused_by_size_quickly_without_being_read()
    {
        var path = Path.Combine(_dir, "ten-megabytes.yaml");
        await using (var file = File.Create(path))
        {
            var line = Encoding.UTF8.GetBytes("key: " + new string('x', 1018) + "\n");
            for (var i = 0; i < 10 * 1024; i++) file.Write(line);
        }
        var clock = Stopwatch.StartNew();
        var result = await Deadline.RunAsync(() => _cli.RunAsync("validate", path), TimeSpan.FromSeconds(5), "validate of a 10 MB file");
        var elapsed = clock.Elapsed;
        output.WriteLine($"10 MB file: exit {result.ExitCode} in {elapsed.TotalMilliseconds:0} ms: {result.Stdout.Trim()}");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{path}:1:1: error: file is 10485760 bytes; a profile may be at most 1048576 bytes", result.Stdout);
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"refusing by size took {elapsed}");

        // The loader refuses by the file's size alone: it never reads (or allocates) the 10 MB.
        var loader = new ProfileLoader(_cli.Services.Registry);
        var allocated = await Deadline.RunAsync(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            loader.Load(path);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }, TimeSpan.FromSeconds(5), "Load of a 10 MB file");
        Assert.True(allocated < 1024 * 1024, $"loading allocated {FuzzStats.Mib(allocated)}: the file was read although its size alone refuses it");

        // The in-memory entry points keep the same limit.
        var bytes = await File.ReadAllBytesAsync(path);
        var fromBytes = HostileLoad.Load(loader, bytes, "big.yaml");
        Assert.Contains(fromBytes.Diagnostics, d => d.Message.Contains("a profile may be at most", StringComparison.Ordinal));
        var fromText = await Deadline.RunAsync(() => loader.LoadText(Encoding.UTF8.GetString(bytes), "big.yaml"), TimeSpan.FromSeconds(5), "LoadText of 10 MB");
        Assert.Contains(fromText.Diagnostics, d => d.Message.Contains("a profile may be at most", StringComparison.Ordinal));
    }

    /// <summary>In-process load under a deadline; records the outcome and any broken property. Null when it failed.</summary>
    private static async Task<LoadOutcome?> CheckInProcessAsync(ProfileLoader loader, byte[] bytes, string path, string describe, FuzzStats stats)
    {
        LoadOutcome outcome;
        try
        {
            outcome = await Deadline.RunAsync(() => HostileLoad.Load(loader, bytes, path), CaseLimit, describe);
        }
        catch (Exception e)
        {
            stats.Hung |= e is TimeoutException;
            stats.Record("FAILED: " + e.GetType().Name, new LoadOutcome(false, [], 0, TimeSpan.Zero), describe);
            stats.Fail($"{describe}: {e.GetType().Name}: {HostileLoad.Short(e.Message)}\n{Trim(e.StackTrace)}\n  input: {Preview(bytes)}");
            return null;
        }
        stats.Record(HostileLoad.Bucket(outcome), outcome, describe);
        var problems = HostileLoad.Problems(outcome, bytes, path).ToList();
        if (outcome.AllocatedBytes > PerCaseAllocationLimit) problems.Add($"allocated {FuzzStats.Mib(outcome.AllocatedBytes)} for {bytes.Length} bytes");
        if (problems.Count > 0) stats.Fail($"{describe}: {string.Join("; ", problems)}\n  input: {Preview(bytes)}");
        return outcome;
    }

    /// <summary>The same input as a file through <c>simian validate</c>: exit 0 or 2 as in-process, never a trace.</summary>
    private async Task CheckThroughCliAsync(FuzzCase c, LoadOutcome inProcess, FuzzStats stats)
    {
        var path = Path.Combine(_dir, $"case-{c.Index}.yaml");
        await File.WriteAllBytesAsync(path, c.Bytes);
        var json = c.Index % 200 == 0;
        string[] args = json ? ["validate", "--output", "json", path] : ["validate", path];
        CliResult result;
        try
        {
            result = await Deadline.RunAsync(() => _cli.RunAsync(args), CaseLimit * 2, $"validate {c}");
        }
        catch (Exception e)
        {
            stats.Fail($"{c} via CLI: {e.GetType().Name}: {HostileLoad.Short(e.Message)}");
            return;
        }
        finally
        {
            File.Delete(path);
        }
        stats.CliCases++;
        stats.CliExitCodes[result.ExitCode] = stats.CliExitCodes.GetValueOrDefault(result.ExitCode) + 1;
        var problems = new List<string>();
        if (result.ExitCode is not (0 or 2)) problems.Add($"exit {result.ExitCode}");
        if (result.ExitCode != (inProcess.Ok ? 0 : 2)) problems.Add($"exit {result.ExitCode} but in-process ok={inProcess.Ok}");
        var all = result.Stdout + result.Stderr;
        if (all.Contains("   at ", StringComparison.Ordinal)) problems.Add("stack trace in output");
        if (all.Contains("internal error", StringComparison.Ordinal)) problems.Add("internal error in output");
        if (json) problems.AddRange(JsonProblems(result.Stdout, path));
        if (problems.Count > 0) stats.Fail($"{c} via `simian {string.Join(' ', args)}`: {string.Join("; ", problems)}\n{result}");
    }

    private static IEnumerable<string> JsonProblems(string stdout, string path)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(stdout);
        }
        catch (JsonException e)
        {
            return [$"stdout is not JSON: {e.Message}"];
        }
        using (doc)
        {
            var problems = new List<string>();
            foreach (var profile in doc.RootElement.GetProperty("profiles").EnumerateArray())
            {
                foreach (var error in profile.GetProperty("errors").EnumerateArray())
                {
                    if (error.GetProperty("file").GetString() != path) problems.Add("JSON error without its file");
                    if (error.GetProperty("line").GetInt32() < 1 || error.GetProperty("column").GetInt32() < 1) problems.Add("JSON error without line/column");
                }
            }
            return problems;
        }
    }

    private void Finish(FuzzStats stats, string title, int seed, TimeSpan elapsed, int minimumCases)
    {
        output.WriteLine(stats.Report(title, seed, elapsed));
        var growth = stats.PeakManaged - stats.BaselineManaged;
        if (stats.FailureCount > 0)
        {
            Assert.Fail($"{stats.FailureCount} failing case(s) with seed {seed} (replay: SIMIAN_FUZZ_SEED={seed} dotnet test tests/Simian.Fuzz.Tests):\n\n"
                + string.Join("\n\n", stats.Failures));
        }
        Assert.True(growth < HeapGrowthLimit, $"managed heap grew by {FuzzStats.Mib(growth)} over the run");
        Assert.True(stats.PeakWorkingSet < WorkingSetLimit, $"working set reached {FuzzStats.Mib(stats.PeakWorkingSet)}");
        Assert.True(stats.Cases >= minimumCases, $"only {stats.Cases} cases ran");
    }

    private static string Preview(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes.AsSpan(0, Math.Min(bytes.Length, 600)));
        return bytes.Length <= 2048
            ? $"base64 {Convert.ToBase64String(bytes)}"
            : $"{bytes.Length} bytes starting \"{text.ReplaceLineEndings("\\n")}\"";
    }

    private static string Trim(string? stack) =>
        string.Join('\n', (stack ?? "").Split('\n').Take(12));

    public void Dispose()
    {
        _cli.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
