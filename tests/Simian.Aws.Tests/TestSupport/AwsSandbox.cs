using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.S3;
using Simian.Aws.Resilience;
using Simian.Core.Profiles;
using Simian.Core.Providers;
using Simian.Sandbox;

namespace Simian.Aws.Tests.TestSupport;

/// <summary>
/// A running sandbox and an <see cref="AwsProvider"/> pointed at it through the profile's <c>endpoint</c> setting,
/// with credentials from (injected) environment variables: the same path a real run takes.
/// </summary>
internal sealed class AwsSandbox : IAsyncDisposable
{
    /// <summary>Short waits so throttling and polling tests stay fast; the shape matches the defaults.</summary>
    public static readonly AwsProviderOptions FastOptions = new()
    {
        InjectRetry = new AwsRetryPolicy(8, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(40), false),
        UndoRetry = new AwsRetryPolicy(12, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(60), true),
        StatePollInterval = TimeSpan.FromMilliseconds(20),
    };

    private readonly List<IDisposable> _clients = [];

    private AwsSandbox(SandboxServer server, Dictionary<string, string> env, AwsProviderOptions options)
    {
        Server = server;
        Env = env;
        Options = options;
        Provider = NewProvider();
        Settings = Yaml.Settings("aws", $"region: us-east-1\nendpoint: {Endpoint}\n");
    }

    public SandboxServer Server { get; }

    public SandboxState State => Server.State;

    public string Endpoint => Server.Endpoint.ToString().TrimEnd('/');

    public Dictionary<string, string> Env { get; }

    public AwsProviderOptions Options { get; }

    public AwsProvider Provider { get; }

    public ProviderSettings Settings { get; set; }

    public static async Task<AwsSandbox> StartAsync(
        Fleet? fleet = null,
        Func<SandboxOptions, SandboxOptions>? configure = null,
        string accessKey = TestFleets.GameDayKey,
        string secret = TestFleets.GameDaySecret,
        AwsProviderOptions? options = null)
    {
        var sandboxOptions = new SandboxOptions { Fleet = fleet ?? TestFleets.Extended() };
        sandboxOptions = configure?.Invoke(sandboxOptions) ?? sandboxOptions;
        var server = await SandboxServer.StartAsync(sandboxOptions, CancellationToken.None);
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AWS_ACCESS_KEY_ID"] = accessKey,
            ["AWS_SECRET_ACCESS_KEY"] = secret,
        };
        return new AwsSandbox(server, env, options ?? FastOptions);
    }

    /// <summary>A provider as a fresh process (such as <c>simian recover</c>) would build it.</summary>
    public AwsProvider NewProvider(TimeProvider? time = null) =>
        new(time ?? TimeProvider.System, name => Env.GetValueOrDefault(name), Options);

    public ITargetType Type(string name) => Provider.TargetTypes.Single(t => t.Name == name);

    public IFault Fault(string type, string name, AwsProvider? provider = null) =>
        (provider ?? Provider).TargetTypes.Single(t => t.Name == type).Faults.Single(f => f.Name == name);

    public Task<IReadOnlyList<Resource>> ResolveAsync(string type, string selector, AwsProvider? provider = null) =>
        (provider ?? Provider).TargetTypes.Single(t => t.Name == type).ResolveAsync(Yaml.Target(type, selector), Settings, Timeout());

    public async Task<Resource> InstanceAsync(string id) =>
        Assert.Single(await ResolveAsync("aws:ec2:instance", $"ids: [{id}]\nstates: [pending, running, stopping, stopped, shutting-down, terminated]"));

    public async Task<Resource> BucketAsync(string name) =>
        Assert.Single(await ResolveAsync("aws:s3:bucket", $"names: [{name}]"));

    public FaultContext Context(Resource resource, string parameters = "{}", string runId = "run1", string step = "step") =>
        new(runId, step, resource, Yaml.Map(parameters), null, Settings, TimeProvider.System);

    /// <summary>What undo gets after a crash: the journal's JSON round-tripped through text, and the scalar settings.</summary>
    public UndoContext Undo(FaultContext context, JsonObject undo) =>
        new(context.RunId, context.Resource.Id, context.Resource.Attributes,
            (JsonObject)JsonNode.Parse(undo.ToJsonString())!, new Dictionary<string, string>(context.Settings.Values), TimeProvider.System);

    /// <summary>A plain SDK client for another identity, to see the world as someone other than the experimenter.</summary>
    public IAmazonS3 S3As(string accessKey, string secret) => Track(new AmazonS3Client(new BasicAWSCredentials(accessKey, secret), new AmazonS3Config
    {
        ServiceURL = Endpoint,
        AuthenticationRegion = "us-east-1",
        ForcePathStyle = true,
        MaxErrorRetry = 0,
    }));

    public static CancellationToken Timeout(int seconds = 30) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) client.Dispose();
        await Server.DisposeAsync();
    }

    private T Track<T>(T client)
        where T : IDisposable
    {
        _clients.Add(client);
        return client;
    }
}
