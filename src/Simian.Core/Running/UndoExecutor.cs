using Polly;
using Polly.Retry;
using Polly.Timeout;
using Simian.Core.Providers;

namespace Simian.Core.Running;

/// <summary>
/// Runs a fault's undo patiently: several attempts with jittered backoff and a timeout per attempt. Rollback
/// and recover both come through here. Never cancelled by a signal: giving up early is what leaves damage.
/// </summary>
public sealed class UndoExecutor
{
    private readonly ResiliencePipeline _pipeline;

    public UndoExecutor(TimeProvider time, int attempts = 6, TimeSpan? firstDelay = null, TimeSpan? attemptTimeout = null)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (attempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = attempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                Delay = firstDelay ?? TimeSpan.FromMilliseconds(500),
                MaxDelay = TimeSpan.FromSeconds(5),
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException || e is TimeoutRejectedException),
            });
        }
        // Generous: a provider's undo may itself wait and retry (an instance stopping before it can start again).
        builder.AddTimeout(attemptTimeout ?? TimeSpan.FromMinutes(4));
        _pipeline = builder.Build();
    }

    public async Task<UndoOutcome> UndoAsync(IFault fault, UndoContext context) =>
        await _pipeline.ExecuteAsync(async ct => await fault.UndoAsync(context, ct).ConfigureAwait(false), CancellationToken.None).ConfigureAwait(false);
}
