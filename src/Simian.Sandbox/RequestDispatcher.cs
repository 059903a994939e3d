using System.Globalization;
using System.Security.Cryptography;
using Simian.Sandbox.Admin;
using Simian.Sandbox.Auth;
using Simian.Sandbox.Faults;
using Simian.Sandbox.Http;

namespace Simian.Sandbox;

/// <summary>
/// Routes a request to a service (by the SigV4 scope, else by its shape), injects faults, authenticates the
/// caller, decodes streamed bodies, and renders every failure in the chosen service's error shape.
/// </summary>
internal sealed class RequestDispatcher
{
    private static readonly HashSet<string> StsActions = new(StringComparer.Ordinal)
    {
        "GetCallerIdentity", "AssumeRole", "GetSessionToken", "AssumeRoleWithWebIdentity", "GetAccessKeyInfo",
        "DecodeAuthorizationMessage", "GetFederationToken", "AssumeRoleWithSAML",
    };

    private readonly ISandboxService _ec2;
    private readonly ISandboxService _s3;
    private readonly ISandboxService _sts;
    private readonly ISandboxService _autoScaling;
    private readonly ISandboxService? _sso;
    private readonly AdminService _admin;
    private readonly IdentityDirectory _identities;
    private readonly FaultInjector _faults;
    private readonly SandboxState _state;
    private readonly TimeProvider _time;
    private readonly bool _requireKnownKeys;

    public RequestDispatcher(
        ISandboxService ec2,
        ISandboxService s3,
        ISandboxService sts,
        ISandboxService autoScaling,
        AdminService admin,
        IdentityDirectory identities,
        FaultInjector faults,
        SandboxState state,
        TimeProvider time,
        bool requireKnownKeys,
        ISandboxService? sso = null)
    {
        _sso = sso;
        _time = time;
        _ec2 = ec2;
        _s3 = s3;
        _sts = sts;
        _autoScaling = autoScaling;
        _admin = admin;
        _identities = identities;
        _faults = faults;
        _state = state;
        _requireKnownKeys = requireKnownKeys;
    }

    public SandboxResponse Dispatch(SandboxRequest request, string requestId)
    {
        if (request.Path.StartsWith(AdminService.PathPrefix, StringComparison.Ordinal))
        {
            return _admin.Handle(request);
        }

        var service = Route(request);
        try
        {
            if (_faults.Roll() is { } fault)
            {
                throw service.Describe(fault, "injected by the sandbox");
            }

            var caller = Authenticate(service, request);
            var response = service.Handle(request, caller, requestId);
            _state.CountCall(service.Name, response.Action);
            return response;
        }
        catch (AwsErrorException error)
        {
            var response = service.RenderError(error, request, requestId);
            response.Action = $"{service.Name} error {error.Code}";
            return response;
        }
        catch (Exception unexpected) when (unexpected is not OutOfMemoryException)
        {
            var error = service.Describe(CommonError.Internal, "");
            var response = service.RenderError(
                new AwsErrorException(error.Status, error.Code, $"{error.Message} ({unexpected.GetType().Name}: {unexpected.Message})"),
                request,
                requestId);
            response.Action = $"{service.Name} unexpected {unexpected.GetType().Name}";
            return response;
        }
    }

    private ISandboxService Route(SandboxRequest request)
    {
        if (_sso is not null && request.Path == Sso.SsoService.Path && request.Header("Authorization") is null)
        {
            return _sso;
        }

        switch (SigV4Authorization.ServiceHint(request))
        {
            case "ec2": return _ec2;
            case "s3": return _s3;
            case "sts": return _sts;
            case "autoscaling": return _autoScaling;
        }

        var isForm = request.Header("Content-Type")?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true;
        if ((request.Method == "POST" && isForm) || request.HasQuery("Action"))
        {
            var parameters = new QueryParameters(request);
            if (parameters["Action"] is { } action)
            {
                return parameters["Version"] switch
                {
                    "2011-01-01" => _autoScaling,
                    "2011-06-15" => _sts,
                    _ => StsActions.Contains(action) ? _sts : _ec2,
                };
            }
        }

        return _s3;
    }

    private CallerIdentity Authenticate(ISandboxService service, SandboxRequest request)
    {
        SigV4Authorization? auth;
        bool signed;
        try
        {
            signed = SigV4Authorization.TryParse(request, out auth);
        }
        catch (FormatException e)
        {
            throw service.Describe(CommonError.MalformedAuthorization, e.Message);
        }

        if (!signed)
        {
            DecodeBody(service, request, null);
            return service.AllowsAnonymous ? CallerIdentity.Anonymous : throw service.Describe(CommonError.MissingAuthentication, "");
        }

        if (auth!.Presigned)
        {
            CheckExpiry(request, auth);
        }
        else
        {
            CheckSkew(service, auth);
        }

        var identity = _identities.Find(auth.AccessKeyId);
        if (identity is null)
        {
            if (_requireKnownKeys)
            {
                throw service.Describe(CommonError.UnknownAccessKey, auth.AccessKeyId);
            }

            identity = CallerIdentity.Default(auth.AccessKeyId);
        }

        // Temporary credentials: the session token must be the one issued with the key; a long-term key takes none.
        var token = request.Header("x-amz-security-token") ?? request.QueryValue("X-Amz-Security-Token");
        if (!string.Equals(token, identity.SessionToken, StringComparison.Ordinal)
            && !(token is null && identity.SessionToken is null))
        {
            throw service.Describe(CommonError.InvalidToken, auth.AccessKeyId);
        }

        if (token is not null && identity.SessionExpires is { } expires && _time.GetUtcNow() >= expires)
        {
            throw service.Describe(CommonError.ExpiredToken, auth.AccessKeyId);
        }

        ChunkSigningContext? signing = null;
        if (identity.SecretAccessKey is { } secret)
        {
            var check = SigV4Verifier.Verify(request, auth, secret);
            if (!check.Valid)
            {
                var error = service.Describe(CommonError.SignatureMismatch, "");
                throw new AwsErrorException(
                    error.Status,
                    error.Code,
                    error.Message,
                    ("AWSAccessKeyId", auth.AccessKeyId),
                    ("StringToSign", check.StringToSign),
                    ("SignatureProvided", auth.Signature),
                    ("CanonicalRequest", check.CanonicalRequest));
            }

            signing = new ChunkSigningContext(check.SigningKey, auth.AmzDate, auth.Scope, auth.Signature);
        }

        DecodeBody(service, request, signing);
        return identity;
    }

    /// <summary>
    /// AWS refuses a signed request whose X-Amz-Date is more than 15 minutes from its own clock
    /// (https://docs.aws.amazon.com/IAM/latest/UserGuide/signing-elements.html: "the request is rejected when the
    /// timestamp is more than 15 minutes off"; S3 says RequestTimeTooSkewed).
    /// </summary>
    private void CheckSkew(ISandboxService service, SigV4Authorization auth)
    {
        if (!DateTimeOffset.TryParseExact(auth.AmzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            throw service.Describe(CommonError.MalformedAuthorization, "X-Amz-Date must be yyyyMMddTHHmmssZ");
        }

        var now = _time.GetUtcNow();
        if ((now - signedAt).Duration() > TimeSpan.FromMinutes(15))
        {
            throw service.Describe(CommonError.RequestTimeTooSkewed,
                $"{auth.AmzDate} (the sandbox's time is {now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)})");
        }
    }

    /// <summary>A presigned URL is good from its X-Amz-Date for X-Amz-Expires seconds (at most 7 days), on the sandbox's clock.</summary>
    private void CheckExpiry(SandboxRequest request, SigV4Authorization auth)
    {
        if (!DateTimeOffset.TryParseExact(auth.AmzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt)
            || !int.TryParse(request.QueryValue("X-Amz-Expires"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds is < 1 or > 604800)
        {
            throw new AwsErrorException(400, "AuthorizationQueryParametersError",
                "X-Amz-Date must be yyyyMMddTHHmmssZ and X-Amz-Expires a number of seconds between 1 and 604800.");
        }

        if (_time.GetUtcNow() > signedAt.AddSeconds(seconds))
        {
            throw new AwsErrorException(403, "AccessDenied", "Request has expired", ("X-Amz-Expires", seconds.ToString(CultureInfo.InvariantCulture)));
        }
    }

    private static void DecodeBody(ISandboxService service, SandboxRequest request, ChunkSigningContext? signing)
    {
        var contentSha = request.Header("x-amz-content-sha256");
        var streamed = request.Header("Content-Encoding")?.Contains("aws-chunked", StringComparison.OrdinalIgnoreCase) == true
            || contentSha?.StartsWith("STREAMING-", StringComparison.Ordinal) == true;
        if (streamed)
        {
            var signedChunks = contentSha is "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" or "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
            try
            {
                var decoded = AwsChunkedDecoder.Decode(request.Body, signedChunks ? signing : null);
                request.Body = decoded.Data;
                request.Trailers = decoded.Trailers;
            }
            catch (AwsChunkedException e)
            {
                throw e.Code == "SignatureDoesNotMatch"
                    ? new AwsErrorException(403, e.Code, e.Message)
                    : new AwsErrorException(400, e.Code, e.Message);
            }

            return;
        }

        if (service.Name == "s3" && contentSha is { Length: 64 }
            && !string.Equals(contentSha, SigV4Verifier.Hex(SHA256.HashData(request.Body)), StringComparison.OrdinalIgnoreCase))
        {
            throw new AwsErrorException(400, "XAmzContentSHA256Mismatch",
                "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }
    }
}
