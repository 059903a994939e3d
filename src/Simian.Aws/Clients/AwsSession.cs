using System.Collections.Concurrent;
using Amazon.EC2;
using Amazon.S3;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Polly;
using Simian.Aws.Identity;
using Simian.Aws.Resilience;

namespace Simian.Aws.Clients;

/// <summary>
/// Clients, the caller's identity and the retry pipelines for one set of settings. Every SDK call goes through
/// <see cref="CallAsync{T}"/>, so retries, timeouts and error messages are the same everywhere.
/// </summary>
internal sealed class AwsSession
{
    private readonly IAwsClientFactory _factory;
    private readonly AwsPipelines _pipelines;
    private readonly ConcurrentDictionary<string, IAmazonS3> _s3 = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _callerGate = new(1, 1);
    private readonly Lazy<IAmazonEC2> _ec2;
    private readonly Lazy<IAmazonSecurityTokenService> _sts;
    private readonly Lazy<Simian.Aws.AutoScaling.IAutoScaling> _autoScaling;
    private CallerIdentity? _caller;

    public AwsSession(AwsConnection connection, IAwsClientFactory factory, AwsPipelines pipelines, AwsProviderOptions options)
    {
        Connection = connection;
        Options = options;
        _factory = factory;
        _pipelines = pipelines;
        _ec2 = new Lazy<IAmazonEC2>(() => factory.Ec2(connection));
        _sts = new Lazy<IAmazonSecurityTokenService>(() => factory.Sts(connection));
        _autoScaling = new Lazy<Simian.Aws.AutoScaling.IAutoScaling>(() => factory.AutoScaling(connection));
    }

    public AwsConnection Connection { get; }

    public AwsProviderOptions Options { get; }

    public string Region => Connection.Region;

    /// <summary>Where this session's resource ids are unique, for target locks: the endpoint, account and region.</summary>
    public string Scope(string account, string region) => $"{Connection.Endpoint?.AbsoluteUri ?? "aws"}|{account}|{region}";

    public IAmazonEC2 Ec2 => _ec2.Value;

    public Simian.Aws.AutoScaling.IAutoScaling AutoScaling => _autoScaling.Value;

    /// <summary>An S3 client for a bucket's region; the session's region when the bucket's is unknown.</summary>
    public IAmazonS3 S3(string? region = null) => _s3.GetOrAdd(region ?? Region, r => _factory.S3(Connection, r));

    /// <summary>The caller, asked of STS once per settings; a failure is not cached, so a later call tries again.</summary>
    public async Task<CallerIdentity> CallerAsync(CancellationToken cancellationToken)
    {
        if (_caller is { } known) return known;
        await _callerGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_caller is { } raced) return raced;
            var answer = await CallAsync(
                "cannot identify the caller (sts:GetCallerIdentity)",
                ct => _sts.Value.GetCallerIdentityAsync(new GetCallerIdentityRequest(), ct),
                cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(answer.Arn) || string.IsNullOrEmpty(answer.Account))
            {
                throw new Simian.Core.ProviderException("cannot identify the caller (sts:GetCallerIdentity): the answer has no ARN or account");
            }
            return _caller = new CallerIdentity(answer.Arn, answer.Account);
        }
        finally
        {
            _callerGate.Release();
        }
    }

    /// <summary>
    /// Runs one SDK call through the inject pipeline (or the more patient undo pipeline) and turns any failure
    /// into a one-line <see cref="Simian.Core.ProviderException"/> beginning with <paramref name="what"/>.
    /// Cancellation by the caller passes through unchanged.
    /// </summary>
    public async Task<T> CallAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken, bool undo = false)
    {
        var pipeline = undo ? _pipelines.Undo : _pipelines.Inject;
        try
        {
            return await pipeline.ExecuteAsync(
                async (c, ct) =>
                {
                    try
                    {
                        return await c(ct).ConfigureAwait(false);
                    }
                    catch (Amazon.Runtime.AmazonServiceException e) when (e.ErrorCode is { } code && AwsErrors.Expired.Contains(code))
                    {
                        // A run can outlast an STS session: make refreshing credentials fetch new ones before the retry,
                        // so a rollback is not lost to ExpiredToken.
                        if (Connection.Credentials is Amazon.Runtime.RefreshingAWSCredentials refreshing) refreshing.ClearCredentials();
                        throw;
                    }
                },
                call,
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not Simian.Core.ProviderException)
        {
            throw AwsErrors.Translate(e, what, Connection.Describe(), undo ? _pipelines.UndoPolicy : _pipelines.InjectPolicy);
        }
    }
}
