using Amazon;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.SecurityToken;

namespace Simian.Aws.Clients;

/// <summary>
/// Builds real SDK clients. With an endpoint, every service goes to it (path-style for S3) and signs for the
/// region; without one, the SDK picks the regional AWS endpoint. SDK retries are off in both cases, and no answer
/// is read past <see cref="BoundedHttpClientFactory.MaxResponseBytes"/>.
/// </summary>
public sealed class AwsClientFactory : IAwsClientFactory
{
    private static readonly BoundedHttpClientFactory Http = new();

    public IAmazonEC2 Ec2(AwsConnection connection) =>
        new AmazonEC2Client(connection.Credentials, Configure(new AmazonEC2Config(), connection, connection.Region));

    public IAmazonS3 S3(AwsConnection connection, string region)
    {
        var config = Configure(new AmazonS3Config(), connection, region);
        if (connection.Endpoint is not null) config.ForcePathStyle = true;
        return new AmazonS3Client(connection.Credentials, config);
    }

    public IAmazonSecurityTokenService Sts(AwsConnection connection) =>
        new AmazonSecurityTokenServiceClient(connection.Credentials, Configure(new AmazonSecurityTokenServiceConfig(), connection, connection.Region));

    public Simian.Aws.AutoScaling.IAutoScaling AutoScaling(AwsConnection connection)
    {
        var config = Configure(new AmazonEC2Config(), connection, connection.Region);
        // Signed with the wall clock, as the SDK signs: AWS refuses requests more than 15 minutes off.
        return new Simian.Aws.AutoScaling.AutoScalingClient(connection, Http.CreateHttpClient(config), TimeProvider.System);
    }

    private static T Configure<T>(T config, AwsConnection connection, string region)
        where T : ClientConfig
    {
        config.MaxErrorRetry = 0;
        config.Timeout = connection.HttpTimeout;
        // Every answer is read up to a cap, like every other answer simian reads from a server.
        config.HttpClientFactory = Http;
        if (connection.Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
        return config;
    }
}
