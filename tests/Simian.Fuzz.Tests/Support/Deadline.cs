namespace Simian.Fuzz.Tests.Support;

/// <summary>Runs synchronous work on the thread pool and fails the case if it does not finish in time (a hang).</summary>
public static class Deadline
{
    public static Task<T> RunAsync<T>(Func<T> work, TimeSpan limit, string what) => WaitAsync(Task.Run(work), limit, what);

    public static Task<T> RunAsync<T>(Func<Task<T>> work, TimeSpan limit, string what) => WaitAsync(Task.Run(work), limit, what);

    private static async Task<T> WaitAsync<T>(Task<T> task, TimeSpan limit, string what)
    {
        try
        {
            // Not back onto xunit's context: under a busy runner that queue, not the work, would set the pace.
            return await task.WaitAsync(limit).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The work cannot be cancelled (it is synchronous); the failure is what matters.
            throw new TimeoutException($"{what} did not finish within {limit.TotalSeconds:0.#}s (a hang?)");
        }
    }
}
