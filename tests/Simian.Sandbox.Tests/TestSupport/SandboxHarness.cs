using Amazon.EC2;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.SecurityToken;

namespace Simian.Sandbox.Tests.TestSupport;

/// <summary>A running sandbox plus real SDK clients pointed at it, with SDK retries off.</summary>
internal sealed class SandboxHarness : IAsyncDisposable
{
    private readonly List<IDisposable> _clients = [];

    private SandboxHarness(SandboxServer server) => Server = server;

    public SandboxServer Server { get; }

    public SandboxState State => Server.State;

    public string Endpoint => Server.Endpoint.ToString().TrimEnd('/');

    public static async Task<SandboxHarness> StartAsync(Fleet? fleet = null, Func<SandboxOptions, SandboxOptions>? configure = null)
    {
        var options = new SandboxOptions { Fleet = fleet ?? TestFleets.Standard() };
        options = configure?.Invoke(options) ?? options;
        return new SandboxHarness(await SandboxServer.StartAsync(options, CancellationToken.None));
    }

    public AmazonEC2Client Ec2(string accessKey = TestFleets.GameDayKey, string secret = TestFleets.GameDaySecret) =>
        Track(new AmazonEC2Client(new BasicAWSCredentials(accessKey, secret), new AmazonEC2Config
        {
            ServiceURL = Endpoint,
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
            Timeout = TimeSpan.FromSeconds(30),
        }));

    public AmazonS3Client S3(string accessKey = TestFleets.GameDayKey, string secret = TestFleets.GameDaySecret) =>
        Track(new AmazonS3Client(new BasicAWSCredentials(accessKey, secret), S3Config()));

    public AmazonS3Client AnonymousS3() => Track(new AmazonS3Client(new AnonymousAWSCredentials(), S3Config()));

    public AmazonSecurityTokenServiceClient Sts(string accessKey = TestFleets.GameDayKey, string secret = TestFleets.GameDaySecret) =>
        Track(new AmazonSecurityTokenServiceClient(new BasicAWSCredentials(accessKey, secret), new AmazonSecurityTokenServiceConfig
        {
            ServiceURL = Endpoint,
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
            Timeout = TimeSpan.FromSeconds(30),
        }));

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await Server.DisposeAsync();
    }

    private AmazonS3Config S3Config() => new()
    {
        ServiceURL = Endpoint,
        AuthenticationRegion = "us-east-1",
        ForcePathStyle = true,
        MaxErrorRetry = 0,
        Timeout = TimeSpan.FromSeconds(30),
    };

    private T Track<T>(T client)
        where T : IDisposable
    {
        _clients.Add(client);
        return client;
    }
}
