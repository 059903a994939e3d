using Simian.Sandbox.Auth;
using Simian.Sandbox.Http;

namespace Simian.Sandbox;

/// <summary>One emulated AWS service behind the shared port.</summary>
internal interface ISandboxService
{
    /// <summary>The SigV4 credential-scope service name (ec2, s3, sts).</summary>
    string Name { get; }

    /// <summary>Whether a request without any signature is served (as the anonymous principal).</summary>
    bool AllowsAnonymous { get; }

    SandboxResponse Handle(SandboxRequest request, CallerIdentity caller, string requestId);

    AwsErrorException Describe(CommonError error, string detail);

    SandboxResponse RenderError(AwsErrorException error, SandboxRequest request, string requestId);
}
