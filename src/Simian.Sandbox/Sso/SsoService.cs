using System.Globalization;
using System.Text.Json;
using Simian.Sandbox.Auth;
using Simian.Sandbox.Http;

namespace Simian.Sandbox.Sso;

/// <summary>
/// IAM Identity Center's portal API, GetRoleCredentials only: what an SDK with an SSO profile calls to turn the
/// cached access token into role credentials (<c>GET /federation/credentials?role_name=&amp;account_id=</c>, the token
/// in <c>x-amz-sso_bearer_token</c>). https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html
/// A fleet identity with <c>ssoAccessToken</c> and <c>ssoRoleName</c> is what that token and role hand out.
/// </summary>
internal sealed class SsoService(IReadOnlyList<FleetIdentity> identities, string account, TimeProvider time) : ISandboxService
{
    public const string Path = "/federation/credentials";

    public string Name => "sso";

    /// <summary>The portal API is not SigV4-signed: the bearer token is the credential.</summary>
    public bool AllowsAnonymous => true;

    public SandboxResponse Handle(SandboxRequest request, CallerIdentity caller, string requestId)
    {
        if (request.Method != "GET" || request.Path != Path)
        {
            throw new AwsErrorException(404, "NotFoundException", $"The sandbox serves only GET {Path} of the SSO portal API.");
        }

        var token = request.Header("x-amz-sso_bearer_token");
        var role = request.QueryValue("role_name");
        var accountId = request.QueryValue("account_id");
        if (string.IsNullOrEmpty(role) || string.IsNullOrEmpty(accountId))
        {
            throw new AwsErrorException(400, "InvalidRequestException", "role_name and account_id are required");
        }

        if (string.IsNullOrEmpty(token) || !identities.Any(i => i.SsoAccessToken == token))
        {
            throw new AwsErrorException(401, "UnauthorizedException", "Session token not found or invalid");
        }

        var identity = identities.FirstOrDefault(i => i.SsoAccessToken == token && i.SsoRoleName == role && (i.Account ?? CallerIdentity.AccountOf(i.Arn) ?? account) == accountId)
            ?? throw new AwsErrorException(403, "ForbiddenException", "No access");
        var expiration = time.GetUtcNow().AddHours(1).ToUnixTimeMilliseconds();
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("roleCredentials");
            w.WriteString("accessKeyId", identity.AccessKeyId);
            w.WriteString("secretAccessKey", identity.SecretAccessKey);
            w.WriteString("sessionToken", identity.SessionToken);
            w.WriteNumber("expiration", expiration);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        var response = SandboxResponse.Json(200, buffer.ToArray());
        response.Action = "GetRoleCredentials";
        return response;
    }

    public AwsErrorException Describe(CommonError error, string detail) => error switch
    {
        CommonError.Throttled => new(429, "TooManyRequestsException", "Rate exceeded"),
        _ => new(500, "InternalServerException", "An internal error has occurred. " + detail),
    };

    public SandboxResponse RenderError(AwsErrorException error, SandboxRequest request, string requestId)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("message", error.Message);
            w.WriteEndObject();
        }

        return SandboxResponse.Json(error.Status, buffer.ToArray())
            .WithHeader("x-amzn-ErrorType", error.Code)
            .WithHeader("x-amzn-RequestId", requestId.ToString(CultureInfo.InvariantCulture));
    }
}
