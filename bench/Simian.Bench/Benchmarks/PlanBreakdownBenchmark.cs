using System.Diagnostics;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Simian.Aws.Ec2;
using Simian.Bench.Support;
using Simian.Core.Providers;

namespace Simian.Bench.Benchmarks;

/// <summary>
/// <c>plan-breakdown</c>: where the time and memory of planning over a big fleet go. Pages through a sandbox fleet
/// with the same SDK, filters and page size as <c>simian plan</c>, timing each page and counting the sandbox's and
/// this process's CPU; then pages again keeping one <see cref="Resource"/> per instance, built the way the
/// aws:ec2:instance target type builds it, and measures what that list retains on the GC heap.
/// </summary>
public static class PlanBreakdownBenchmark
{
    private const int PageSize = 1000;

    public static async Task<BenchResult> RunAsync(BenchArgs args, TextWriter log)
    {
        var sandboxBinary = args.String("sandbox", DefaultSimian.Path);
        var count = (int)args.Size("count", 100_000);
        args.EnsureAllRead();

        var work = Directory.CreateTempSubdirectory("simian-bench-breakdown-").FullName;
        var result = new BenchResult("plan-breakdown", args);
        try
        {
            var fleet = Path.Combine(work, "fleet.yaml");
            await File.WriteAllTextAsync(fleet, PlanScaleBenchmark.FleetYaml(count)).ConfigureAwait(false);
            await using var sandbox = await SandboxProcess.StartAsync(sandboxBinary, fleet).ConfigureAwait(false);
            using var ec2 = new AmazonEC2Client(
                new BasicAWSCredentials(SandboxProcess.Credentials["AWS_ACCESS_KEY_ID"], SandboxProcess.Credentials["AWS_SECRET_ACCESS_KEY"]),
                new AmazonEC2Config { ServiceURL = sandbox.Endpoint + "/", AuthenticationRegion = "us-east-1", MaxErrorRetry = 0, Timeout = TimeSpan.FromMinutes(2) });

            // Warm-up: JIT in both processes, connection pool.
            await ListAsync(ec2, null, maxPages: 2).ConfigureAwait(false);

            var self = Process.GetCurrentProcess();
            var cpu0 = self.TotalProcessorTime;
            var sandboxCpu0 = ProcCpu.Seconds(sandbox.Process.Pid);
            var allocated0 = GC.GetTotalAllocatedBytes(precise: true);
            var wall = Stopwatch.GetTimestamp();
            var pages = await ListAsync(ec2, null, int.MaxValue).ConfigureAwait(false);
            var listMs = Ticks.SinceMs(wall);
            self.Refresh();
            var clientCpu = (self.TotalProcessorTime - cpu0).TotalSeconds;
            var sandboxCpu = ProcCpu.Seconds(sandbox.Process.Pid) - sandboxCpu0;
            var allocatedMiB = (GC.GetTotalAllocatedBytes(precise: true) - allocated0) / 1048576.0;
            var pageStats = new Stats(pages.PageMs);
            if (pages.Instances != count)
            {
                throw new BenchFailedException($"listed {pages.Instances} instances, not {count}");
            }

            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
            var kept = new List<Resource>(count);
            var pool = new StringPool(); // one per listing, as Ec2InstanceTargetType.ResolveAsync has
            var convertTicks = 0L;
            await ListAsync(ec2, page =>
            {
                var t = Stopwatch.GetTimestamp();
                foreach (var instance in page.Reservations.SelectMany(r => r.Instances))
                {
                    kept.Add(Ec2Instances.ToResource(instance, "us-east-1", "123456789012", pool));
                }

                convertTicks += Stopwatch.GetTimestamp() - t;
            }, int.MaxValue).ConfigureAwait(false);
            var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
            var retainedMiB = (heapAfter - heapBefore) / 1048576.0;
            var perResource = (heapAfter - heapBefore) / (double)kept.Count;
            GC.KeepAlive(kept);

            log.WriteLine($"plan-breakdown {count}: {pages.Pages} pages in {listMs / 1000:F2} s (page median {pageStats.Median:F1} ms); "
                + $"client CPU {clientCpu:F2} s, sandbox CPU {sandboxCpu:F2} s, allocated {allocatedMiB:F0} MiB; "
                + $"{kept.Count} Resources retain {retainedMiB:F1} MiB ({perResource:F0} B each), conversion {Ticks.ToMs(convertTicks):F0} ms");
            result.Check($"Plan breakdown at {count:N0}: listing through the AWS SDK (same filters, {PageSize} per page)", "report",
                $"{BenchResult.F(listMs / 1000)} s for {pages.Pages} pages (median page {BenchResult.F(pageStats.Median, 1)} ms); client CPU {BenchResult.F(clientCpu)} s, sandbox CPU {BenchResult.F(sandboxCpu)} s; {BenchResult.F(allocatedMiB, 0)} MiB allocated",
                null);
            result.Check($"Plan breakdown at {count:N0}: GC heap retained by one Resource per instance", "report",
                $"{BenchResult.F(retainedMiB, 1)} MiB ({BenchResult.F(perResource, 0)} bytes per instance)", null);
            result.Data["listSeconds"] = Math.Round(listMs / 1000, 3);
            result.Data["pageMs"] = BenchResult.Json(pageStats.Summary(1));
            result.Data["clientCpuSeconds"] = Math.Round(clientCpu, 2);
            result.Data["sandboxCpuSeconds"] = Math.Round(sandboxCpu, 2);
            result.Data["allocatedMiB"] = Math.Round(allocatedMiB, 1);
            result.Data["retainedMiB"] = Math.Round(retainedMiB, 1);
            result.Data["retainedBytesPerResource"] = Math.Round(perResource);
            result.Data["conversionMs"] = Math.Round(Ticks.ToMs(convertTicks), 1);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        result.Notes.Add("Runs in this (JIT) process with the AWS SDK the CLI uses. Each Resource is built by Simian.Aws's own Ec2Instances.ToResource "
            + "(compact tag and attribute maps, strings shared across the listing); what simian plan holds beyond this list (plan, exclusions, JSON output) is not included.");
        return result;
    }

    private sealed record Listing(int Pages, int Instances, List<double> PageMs);

    private static async Task<Listing> ListAsync(IAmazonEC2 ec2, Action<DescribeInstancesResponse>? onPage, int maxPages)
    {
        var filters = new List<Filter> { new("tag:app", ["web"]), new("instance-state-name", ["running"]) };
        var times = new List<double>();
        var instances = 0;
        string? token = null;
        do
        {
            var start = Stopwatch.GetTimestamp();
            var page = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = filters, MaxResults = PageSize, NextToken = token }).ConfigureAwait(false);
            times.Add(Ticks.SinceMs(start));
            instances += (page.Reservations ?? []).Sum(r => r.Instances?.Count ?? 0);
            onPage?.Invoke(page);
            token = page.NextToken;
        }
        while (!string.IsNullOrEmpty(token) && times.Count < maxPages);

        return new Listing(times.Count, instances, times);
    }
}
