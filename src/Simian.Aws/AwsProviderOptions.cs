using Simian.Aws.Clients;
using Simian.Aws.Resilience;

namespace Simian.Aws;

/// <summary>Tuning for <see cref="AwsProvider"/>; the defaults suit real AWS, tests shorten the waits.</summary>
public sealed record AwsProviderOptions
{
    /// <summary>Builds the SDK clients; the default builds real ones from the resolved connection.</summary>
    public IAwsClientFactory ClientFactory { get; init; } = new AwsClientFactory();

    /// <summary>Retries for calls that resolve targets, capture state and inject faults.</summary>
    public AwsRetryPolicy InjectRetry { get; init; } = AwsRetryPolicy.Inject;

    /// <summary>Retries for calls that undo faults: more attempts and a longer budget than <see cref="InjectRetry"/>.</summary>
    public AwsRetryPolicy UndoRetry { get; init; } = AwsRetryPolicy.Undo;

    /// <summary>How often undo re-reads an instance that is still stopping before it can be started.</summary>
    public TimeSpan StatePollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long undo waits for a started instance to be seen running before it reports it not restored.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The SDK's own per-request HTTP timeout (Polly's per-attempt timeout normally fires first).</summary>
    public TimeSpan HttpTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Credentials to use instead of the standard chain (for embedding and tests); null follows the chain.</summary>
    public Amazon.Runtime.AWSCredentials? Credentials { get; init; }

    /// <summary>How many buckets are inspected at once while resolving <c>aws:s3:bucket</c>.</summary>
    public int BucketConcurrency { get; init; } = 8;
}
