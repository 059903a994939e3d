using Simian.Bench.Benchmarks;
using Simian.Bench.Support;

namespace Simian.Bench;

/// <summary>
/// The benchmark harness's subcommands. Each measurement writes one JSON line (its result) on stdout and its
/// progress on stderr; <c>report</c> turns the lines into Markdown. bench/run.sh runs them all.
/// </summary>
public static class BenchApp
{
    private static readonly Dictionary<string, (string Help, Func<BenchArgs, TextWriter, Task<BenchResult>> Run)> Benchmarks = new(StringComparer.Ordinal)
    {
        ["startup"] = ("--aot PATH --fdd DIR --runs 50 --warmup 5 [--timer auto|own|hyperfine] [--publish-log FILE --publish-seconds N]", StartupBenchmark.RunAsync),
        ["proxy-latency"] = ("--simian PATH --roundtrips 20000 --warmup 2000 --block 500 --size 64 --processes 3", ProxyLatencyBenchmark.RunAsync),
        ["proxy-throughput"] = ("--simian PATH --bytes 2G --connections 1,64 --repeats 3 --chunk 256K [--reference 64K,256K|none]", ProxyThroughputBenchmark.RunAsync),
        ["proxy-soak"] = ("--simian PATH --duration 5m --workers 8 --sample 1s", ProxySoakBenchmark.RunAsync),
        ["latency-precision"] = ("--simian PATH --requests 1000 --connections 50 --delay 100 --jitter 20 --baseline-requests 500", LatencyPrecisionBenchmark.RunAsync),
        ["plan-scale"] = ("--simian PATH [--simian-jit PATH] [--sandbox PATH] --aws /usr/bin/aws --counts 10000,100000 --runs 3 --warmup 1", PlanScaleBenchmark.RunAsync),
        ["plan-breakdown"] = ("--sandbox PATH --count 100000   (diagnostic: SDK paging time, sandbox CPU, GC heap per Resource)", PlanBreakdownBenchmark.RunAsync),
        ["abort"] = ("--simian PATH [--services PATH] --fleet samples/fleets/sandbox-fleet.yaml --runs 5", AbortBenchmark.RunAsync),
    };

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Usage(stderr);
            return args.Length == 0 ? 2 : 0;
        }

        ChildProcess.UnignoreSigInt();
        try
        {
            var options = new BenchArgs(args[0], args[1..]);
            if (args[0] == "report")
            {
                return await ReportCommand.RunAsync(options, stderr).ConfigureAwait(false);
            }

            if (!Benchmarks.TryGetValue(args[0], out var benchmark))
            {
                stderr.WriteLine($"unknown subcommand '{args[0]}'");
                Usage(stderr);
                return 2;
            }

            var result = await benchmark.Run(options, stderr).ConfigureAwait(false);
            result.Write(stdout);
            return 0;
        }
        catch (BenchUsageException e)
        {
            stderr.WriteLine("simian-bench: " + e.Message);
            return 2;
        }
        catch (BenchFailedException e)
        {
            stderr.WriteLine($"simian-bench {args[0]}: FAILED: {e.Message}");
            return 1;
        }
    }

    private static void Usage(TextWriter stderr)
    {
        stderr.WriteLine("usage: dotnet run -c Release --project bench/Simian.Bench -- <subcommand> [--option value]...");
        foreach (var (name, (help, _)) in Benchmarks)
        {
            stderr.WriteLine($"  {name,-18} {help}");
        }

        stderr.WriteLine("  report             --results FILE.jsonl [--machine FILE.json] --out FILE.md");
        stderr.WriteLine("Run from the repository root. Every benchmark uses loopback only; bench/run.sh runs them all.");
    }
}
