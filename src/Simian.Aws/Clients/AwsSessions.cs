using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Simian.Aws.Resilience;
using Simian.Core;
using Simian.Core.Profiles;

namespace Simian.Aws.Clients;

/// <summary>
/// One <see cref="AwsSession"/> per distinct settings, built on first use. Credentials follow the standard chain:
/// a named <c>profile</c> (settings, then AWS_PROFILE) wins over key variables as the AWS CLI does; otherwise
/// AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY(/AWS_SESSION_TOKEN); otherwise the SDK's default chain (shared files,
/// SSO, container and instance roles). Region: settings, AWS_REGION, AWS_DEFAULT_REGION, then the profile's.
/// </summary>
internal sealed class AwsSessions(TimeProvider time, Func<string, string?> env, AwsProviderOptions options)
{
    private readonly Dictionary<AwsSettings, AwsSession> _sessions = [];
    private readonly object _gate = new();
    // Built with the first session: a verb that never calls AWS (validate, --version) does not pay for Polly's
    // option validation, which reflects over attributes.
    private AwsPipelines? _pipelines;

    public AwsProviderOptions Options => options;

    public AwsSession Get(IReadOnlyDictionary<string, string> values)
    {
        var settings = AwsSettings.From(values);
        lock (_gate)
        {
            if (_sessions.TryGetValue(settings, out var session)) return session;
            session = Create(settings);
            _sessions[settings] = session;
            return session;
        }
    }

    private AwsSession Create(AwsSettings settings)
    {
        SdkDependencies.Register();
        var profileName = settings.Profile ?? Env("AWS_PROFILE");
        var store = new CredentialProfileStoreChain(Env("AWS_SHARED_CREDENTIALS_FILE"));
        var region = settings.Region ?? Env("AWS_REGION") ?? Env("AWS_DEFAULT_REGION") ?? ProfileRegion(store, profileName ?? "default")
            ?? throw new ProviderException(
                "no AWS region: set providers.aws.region in the profile, AWS_REGION, or a region in the shared config file");
        Uri? endpoint = null;
        if (settings.Endpoint is { } text && !Uri.TryCreate(text, UriKind.Absolute, out endpoint))
        {
            throw new ProviderException($"providers.aws.endpoint '{Redaction.Url(text)}' is not an absolute URL");
        }
        var credentials = options.Credentials ?? Credentials(settings, store, profileName);
        var connection = new AwsConnection(credentials, region, endpoint, options.HttpTimeout);
        _pipelines ??= new AwsPipelines(time, options.InjectRetry, options.UndoRetry);
        return new AwsSession(connection, options.ClientFactory, _pipelines, options);
    }

    private AWSCredentials Credentials(AwsSettings settings, CredentialProfileStoreChain store, string? profileName)
    {
        // An explicitly named profile wins over key variables, as it does for the AWS CLI.
        if (settings.Profile is { } named) return FromProfile(store, named, "providers.aws.profile");
        if (Env("AWS_ACCESS_KEY_ID") is { } keyId)
        {
            var secret = Env("AWS_SECRET_ACCESS_KEY")
                ?? throw new ProviderException("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
            return Env("AWS_SESSION_TOKEN") is { } token
                ? new SessionAWSCredentials(keyId, secret, token)
                : new BasicAWSCredentials(keyId, secret);
        }
        if (profileName is not null) return FromProfile(store, profileName, "AWS_PROFILE");
        try
        {
            return DefaultAWSCredentialsIdentityResolver.GetCredentials();
        }
        catch (AmazonClientException e)
        {
            throw new ProviderException(Redaction.Text(
                "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or providers.aws.profile, "
                + $"or run with an instance or container role ({OneLine(e.Message)})"), e);
        }
    }

    private static AWSCredentials FromProfile(CredentialProfileStoreChain store, string name, string source)
    {
        try
        {
            if (store.TryGetAWSCredentials(name, out var credentials)) return credentials;
        }
        catch (Exception e) when (e is AmazonClientException or InvalidOperationException or IOException or ArgumentException)
        {
            throw new ProviderException(Redaction.Text($"AWS profile '{name}' (from {source}) cannot be used: {FirstLine(e.Message)}"), e);
        }
        throw new ProviderException(
            $"AWS profile '{name}' (from {source}) was not found in the shared config or credentials files, or has no credentials");
    }

    private static string? ProfileRegion(CredentialProfileStoreChain store, string profileName)
    {
        try
        {
            return store.TryGetProfile(profileName, out var profile) ? profile.Region?.SystemName : null;
        }
        catch (Exception e) when (e is AmazonClientException or InvalidOperationException or IOException or ArgumentException)
        {
            return null;
        }
    }

    private string? Env(string name) => env(name) is { Length: > 0 } value ? value : null;

    private static string FirstLine(string text) => text.Split(['\r', '\n'], 2)[0].Trim();

    /// <summary>The SDK lists each credential source's failure on its own line; one line, capped, is enough here.</summary>
    private static string OneLine(string text)
    {
        var line = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length > 400 ? line[..400] + "…" : line;
    }
}
