using Amazon;
using Amazon.Runtime;
using Amazon.RuntimeDependencies;
using Amazon.SSO;
using Amazon.SSOOIDC;

namespace Simian.Aws.Clients;

/// <summary>
/// The SDK's SSO credential provider builds its SSO and SSO-OIDC clients by loading their assemblies by name, which a
/// Native AOT binary cannot do. Registering factories makes SSO profiles work in both builds; both clients are
/// unsigned (the SSO token is the credential), and they still honour AWS_ENDPOINT_URL_SSO. Role profiles
/// (role_arn) are left to the SDK: its STS client must be built with the source credentials, which the registry's
/// factory is not given.
/// </summary>
internal static class SdkDependencies
{
    private static int _registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        var registry = GlobalRuntimeDependencyRegistry.Instance;
        registry.RegisterSSOClient(context =>
            new AmazonSSOClient(new AnonymousAWSCredentials(), new AmazonSSOConfig { RegionEndpoint = Region(context.SSOClientContextData.Region) }));
        registry.RegisterSSOOIDCClient(context =>
            new AmazonSSOOIDCClient(new AnonymousAWSCredentials(), new AmazonSSOOIDCConfig { RegionEndpoint = Region(context.SSOOIDCClientContextData.Region) }));
    }

    private static RegionEndpoint Region(object? region) => region switch
    {
        RegionEndpoint endpoint => endpoint,
        string { Length: > 0 } name => RegionEndpoint.GetBySystemName(name),
        _ => RegionEndpoint.USEast1,
    };
}
