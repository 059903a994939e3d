using Amazon.EC2;
using Amazon.S3;
using Amazon.SecurityToken;

namespace Simian.Aws.Clients;

/// <summary>Creates SDK clients for a connection. Clients must not retry on their own: Polly is the one retry layer.</summary>
public interface IAwsClientFactory
{
    IAmazonEC2 Ec2(AwsConnection connection);

    /// <summary>An S3 client for buckets in <paramref name="region"/> (which may differ from the connection's).</summary>
    IAmazonS3 S3(AwsConnection connection, string region);

    IAmazonSecurityTokenService Sts(AwsConnection connection);

    /// <summary>Auto Scaling (no SDK package: a signed Query-API client of simian's own).</summary>
    Simian.Aws.AutoScaling.IAutoScaling AutoScaling(AwsConnection connection);
}
