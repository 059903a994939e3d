using System.Net;

namespace Simian.Shared;

/// <summary>
/// Starts an <see cref="HttpListener"/> despite Linux's managed implementation throwing ArgumentNullException when
/// a client connects while <c>Start</c> runs (dotnet/runtime race, corefx#35191) — exactly what a readiness probe
/// polling the port, or a run renewing faults while a server restarts, does. The half-built listener keeps its
/// socket bound until it is finalized, so it is collected before the next attempt. Compiled into each assembly
/// that serves HTTP (the proxy control API, the sandbox, the demo server) from this one file.
/// </summary>
internal static class HttpListenerStarter
{
    private const int Attempts = 5;

    /// <summary>A started listener on the prefixes; an <see cref="HttpListenerException"/> (port taken) is the caller's.</summary>
    public static HttpListener Start(IEnumerable<string> prefixes)
    {
        var list = prefixes.ToList();
        for (int attempt = 1; ; attempt++)
        {
            var listener = new HttpListener();
            foreach (var prefix in list)
            {
                listener.Prefixes.Add(prefix);
            }

            try
            {
                listener.Start();
                return listener;
            }
            catch (HttpListenerException)
            {
                listener.Close();
                throw;
            }
            catch (ArgumentNullException) when (attempt < Attempts)
            {
                listener.Close();
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }
    }
}
