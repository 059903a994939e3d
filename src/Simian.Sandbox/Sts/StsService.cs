using System.Xml;
using Simian.Sandbox.Auth;
using Simian.Sandbox.Http;

namespace Simian.Sandbox.Sts;

/// <summary>STS over the Query protocol; only GetCallerIdentity, which tells who a key belongs to.</summary>
internal sealed class StsService : ISandboxService
{
    public const string Namespace = "https://sts.amazonaws.com/doc/2011-06-15/";

    public string Name => "sts";

    public bool AllowsAnonymous => false;

    public SandboxResponse Handle(SandboxRequest request, CallerIdentity caller, string requestId)
    {
        var action = new QueryParameters(request)["Action"];
        if (action != "GetCallerIdentity")
        {
            throw new AwsErrorException(400, "InvalidAction", $"Could not find operation {action ?? "(none)"} for version 2011-06-15");
        }

        var response = SandboxResponse.Xml(200, w =>
        {
            w.WriteStartElement("GetCallerIdentityResponse", Namespace);
            w.WriteStartElement("GetCallerIdentityResult", Namespace);
            w.WriteElementString("Arn", Namespace, caller.Arn);
            w.WriteElementString("UserId", Namespace, caller.UserId);
            w.WriteElementString("Account", Namespace, caller.Account);
            w.WriteEndElement();
            Metadata(w, requestId);
            w.WriteEndElement();
        });
        response.Action = action;
        return response;
    }

    public AwsErrorException Describe(CommonError error, string detail) => error switch
    {
        CommonError.Throttled => new(400, "Throttling", "Rate exceeded"),
        CommonError.Internal => new(500, "InternalError", "An internal error has occurred."),
        CommonError.MissingAuthentication => new(403, "MissingAuthenticationToken", "Request is missing Authentication Token"),
        CommonError.UnknownAccessKey => new(403, "InvalidClientTokenId", "The security token included in the request is invalid."),
        CommonError.SignatureMismatch => new(403, "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."),
        CommonError.RequestTimeTooSkewed => new(400, "RequestExpired", $"Request has expired. Timestamp date is {detail}"),
        CommonError.InvalidToken => new(403, "InvalidClientTokenId", "The security token included in the request is invalid."),
        CommonError.ExpiredToken => new(400, "ExpiredTokenException", "The security token included in the request is expired"),
        _ => new(400, "IncompleteSignature", detail),
    };

    public SandboxResponse RenderError(AwsErrorException error, SandboxRequest request, string requestId) =>
        QueryXml.Error(error, requestId, Namespace);

    private static void Metadata(XmlWriter w, string requestId) => QueryXml.Metadata(w, requestId, Namespace);
}
