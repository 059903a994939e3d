using System.Runtime.CompilerServices;

namespace Simian.Proxy.Tests;

/// <summary>Gives the thread pool enough threads up front for the timing tests.</summary>
internal static class ThreadPoolWarmup
{
    // The test host parks pool threads while it waits on test runs; on a two-core machine that leaves async socket
    // and timer continuations queued until the pool injects a thread (~0.5 s later), which latency tests would
    // misread as the proxy being slow.
    [ModuleInitializer]
    internal static void RaiseMinimumThreads()
    {
        ThreadPool.GetMinThreads(out int workers, out int completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(completionPorts, 32));
    }
}
