using Amazon.Runtime;
using Amazon.S3;
using Simian.Sandbox;

namespace Simian.Reliability.Tests.Support;

/// <summary>The project's AWS-compatible sandbox with the sample fleet, and the two identities that fleet knows.</summary>
public static class AwsSandbox
{
    public const string GameDayKeyId = "AKIASIMIANGAMEDAY";
    public const string GameDaySecret = "sandbox-game-day-secret";
    public const string DeveloperKeyId = "AKIASIMIANDEVELOPER";
    public const string DeveloperSecret = "sandbox-developer-secret";

    /// <summary>The assumed role the sample fleet runs experiments as.</summary>
    public static IReadOnlyDictionary<string, string> GameDay { get; } = Credentials(GameDayKeyId, GameDaySecret);

    /// <summary>An IAM user in the same account.</summary>
    public static IReadOnlyDictionary<string, string> Developer { get; } = Credentials(DeveloperKeyId, DeveloperSecret);

    public static Dictionary<string, string> Credentials(string keyId, string secret) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = keyId,
        ["AWS_SECRET_ACCESS_KEY"] = secret,
        ["AWS_REGION"] = "us-east-1",
    };

    /// <param name="sessionToken">Makes the game-day key a temporary one: requests must carry this token, as STS credentials must.</param>
    public static Task<SandboxServer> StartAsync(int seed = 0, double throttleRate = 0, double errorRate = 0, TextWriter? log = null, string? sessionToken = null) =>
        SandboxServer.StartAsync(new SandboxOptions
        {
            Fleet = WithToken(TestFleets.Sample(), sessionToken),
            Seed = seed,
            ThrottleRate = throttleRate,
            ErrorRate = errorRate,
            Log = log,
        });

    private static Fleet WithToken(Fleet fleet, string? sessionToken)
    {
        if (sessionToken is not null) fleet.Identities.Single(i => i.AccessKeyId == GameDayKeyId).SessionToken = sessionToken;
        return fleet;
    }

    public static string EndpointOf(SandboxServer sandbox) => sandbox.Endpoint.ToString().TrimEnd('/');

    /// <summary>A real S3 client signing as one identity, pointed at the sandbox (or anything in front of it).</summary>
    public static AmazonS3Client S3(string endpoint, string keyId, string secret) =>
        new(new BasicAWSCredentials(keyId, secret), new AmazonS3Config
        {
            ServiceURL = endpoint,
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
        });
}
