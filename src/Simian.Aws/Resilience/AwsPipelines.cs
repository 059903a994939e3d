using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Simian.Aws.Resilience;

/// <summary>The two Polly pipelines every SDK call goes through: one for resolve/capture/inject, a more patient one for undo.</summary>
internal sealed class AwsPipelines
{
    public AwsPipelines(TimeProvider time, AwsRetryPolicy inject, AwsRetryPolicy undo)
    {
        InjectPolicy = inject;
        UndoPolicy = undo;
        Inject = Build(time, inject);
        Undo = Build(time, undo);
    }

    public ResiliencePipeline Inject { get; }

    public ResiliencePipeline Undo { get; }

    public AwsRetryPolicy InjectPolicy { get; }

    public AwsRetryPolicy UndoPolicy { get; }

    private static ResiliencePipeline Build(TimeProvider time, AwsRetryPolicy policy)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = policy.TotalTimeout });
        if (policy.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = policy.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = policy.FirstDelay,
                MaxDelay = policy.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && AwsErrors.IsTransient(e, policy.RetryUnreachable)),
            });
        }
        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = policy.AttemptTimeout });
        return builder.Build();
    }
}
