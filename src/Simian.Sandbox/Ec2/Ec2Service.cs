using System.Globalization;
using System.Text;
using Simian.Sandbox.Auth;
using Simian.Sandbox.Ec2.Network;
using Simian.Sandbox.Http;

namespace Simian.Sandbox.Ec2;

/// <summary>The EC2 Query API: DescribeInstances and the four state-changing calls; VPCs, subnets and network ACLs in <see cref="NetworkActions"/>.</summary>
internal sealed class Ec2Service : ISandboxService
{
    private const int MinResults = 5;
    private const int MaxResults = 1000;
    private const string TokenPrefix = "sandbox:";

    private readonly Ec2InstanceStore _store;
    private readonly NetworkActions _network;
    private readonly string _ownerId;
    private readonly string _region;

    public Ec2Service(Ec2InstanceStore store, NetworkStore network, string ownerId, string region)
    {
        _store = store;
        _network = new NetworkActions(network, ownerId, region);
        _ownerId = ownerId;
        _region = region;
    }

    public string Name => "ec2";

    public bool AllowsAnonymous => false;

    public SandboxResponse Handle(SandboxRequest request, CallerIdentity caller, string requestId)
    {
        var parameters = new QueryParameters(request);
        var action = parameters["Action"];
        if (action is not null && !caller.IsAllowed("ec2:" + action))
        {
            throw Unauthorized(caller, action, parameters.List("InstanceId"));
        }

        var response = action switch
        {
            "DescribeInstances" => DescribeInstances(parameters, requestId),
            "StopInstances" => Change(parameters, action, InstanceOperation.Stop, requestId),
            "StartInstances" => Change(parameters, action, InstanceOperation.Start, requestId),
            "TerminateInstances" => Change(parameters, action, InstanceOperation.Terminate, requestId),
            "RebootInstances" => Change(parameters, action, InstanceOperation.Reboot, requestId),
            { } network when NetworkActions.Names.Contains(network) => _network.Handle(network, parameters, requestId),
            null => throw new AwsErrorException(400, "MissingAction", "The request must contain the parameter Action."),
            _ => throw new AwsErrorException(400, "InvalidAction", $"The action {action} is not valid for this web service."),
        };
        response.Action = action;
        return response;
    }

    /// <summary>
    /// A missing permission, as EC2 words it (with or without DryRun: a dry run answers UnauthorizedOperation too).
    /// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
    /// </summary>
    private AwsErrorException Unauthorized(CallerIdentity caller, string action, IReadOnlyList<string> ids)
    {
        var resource = ids.Count > 0 ? $"arn:aws:ec2:{_region}:{_ownerId}:instance/{ids[0]}" : "*";
        return new AwsErrorException(403, "UnauthorizedOperation",
            $"You are not authorized to perform this operation. User: {caller.Arn} is not authorized to perform: ec2:{action} " +
            $"on resource: {resource} because no identity-based policy allows the ec2:{action} action");
    }

    public AwsErrorException Describe(CommonError error, string detail) => error switch
    {
        CommonError.Throttled => new(503, "RequestLimitExceeded", "Request limit exceeded."),
        CommonError.Internal => new(500, "InternalError", "An internal error has occurred."),
        CommonError.MissingAuthentication => new(401, "AuthFailure", "AWS was not able to validate the provided access credentials"),
        CommonError.UnknownAccessKey => new(401, "AuthFailure", "AWS was not able to validate the provided access credentials"),
        CommonError.SignatureMismatch => new(403, "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. " + detail),
        CommonError.RequestTimeTooSkewed => new(400, "RequestExpired", $"Request has expired. Timestamp date is {detail}"),
        CommonError.InvalidToken => new(401, "AuthFailure", "AWS was not able to validate the provided access credentials"),
        CommonError.ExpiredToken => new(400, "RequestExpired", "Request has expired."),
        _ => new(400, "IncompleteSignature", detail),
    };

    public SandboxResponse RenderError(AwsErrorException error, SandboxRequest request, string requestId) =>
        SandboxResponse.Xml(error.Status, w => Ec2Xml.Error(w, error, requestId));

    private SandboxResponse DescribeInstances(QueryParameters parameters, string requestId)
    {
        var ids = parameters.List("InstanceId");
        foreach (var id in ids)
        {
            if (!WellFormed(id))
            {
                throw Ec2Errors.Malformed(id);
            }
        }

        var missing = _store.Missing(ids);
        if (missing.Count > 0)
        {
            throw Ec2Errors.NotFound(missing);
        }

        var filters = parameters.Indexed("Filter")
            .Select(n => (
                Name: parameters[$"Filter.{n}.Name"] ?? throw Ec2Errors.InvalidParameterValue($"Filter.{n}.Name is required"),
                Values: parameters.List($"Filter.{n}.Value")))
            .ToList();
        var filter = Ec2InstanceFilter.Compile(filters);

        var max = int.MaxValue;
        if (parameters["MaxResults"] is { } maxText)
        {
            if (ids.Count > 0)
            {
                throw new AwsErrorException(400, "InvalidParameterCombination",
                    "The parameter instancesSet cannot be used with the parameter maxResults");
            }

            if (!int.TryParse(maxText, NumberStyles.Integer, CultureInfo.InvariantCulture, out max) || max < MinResults || max > MaxResults)
            {
                throw Ec2Errors.InvalidParameterValue(
                    $"Value ( {maxText} ) for parameter maxResults is invalid. Expecting a value between {MinResults} and {MaxResults}.");
            }
        }

        var start = parameters["NextToken"] is { Length: > 0 } token ? DecodeToken(token) : 0;
        if (parameters.Flag("DryRun"))
        {
            throw Ec2Errors.DryRun();
        }

        var page = _store.Describe(ids, filter, max, start);
        var next = page.NextIndex is { } index ? EncodeToken(index) : null;
        return SandboxResponse.StreamedXml(w => Ec2Xml.DescribeInstances(w, requestId, _ownerId, page, next));
    }

    private SandboxResponse Change(QueryParameters parameters, string action, InstanceOperation operation, string requestId)
    {
        var ids = parameters.List("InstanceId");
        if (ids.Count == 0)
        {
            throw new AwsErrorException(400, "MissingParameter", "The request must contain the parameter InstanceId");
        }

        foreach (var id in ids)
        {
            if (!WellFormed(id))
            {
                throw Ec2Errors.Malformed(id);
            }
        }

        var changes = _store.Apply(ids, operation, parameters.Flag("DryRun"));
        return operation == InstanceOperation.Reboot
            ? SandboxResponse.Xml(200, w => Ec2Xml.Return(w, action, requestId))
            : SandboxResponse.Xml(200, w => Ec2Xml.StateChanges(w, action, requestId, changes));
    }

    /// <summary>
    /// EC2 answers InvalidInstanceID.Malformed for an id not of the form i- and 8 or 17 hex digits, and
    /// InvalidInstanceID.NotFound for a well-formed one it does not know
    /// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html). Fleet ids may be free-form
    /// (i-0000000000000web1) for readable tests; those are known, so never malformed.
    /// </summary>
    private bool WellFormed(string id) =>
        _store.Contains(id)
        || (id.StartsWith("i-", StringComparison.Ordinal) && id.Length is 10 or 19 && id.AsSpan(2).ContainsAnyExcept("0123456789abcdef") == false);

    /// <summary>The sandbox's EC2 pagination token (opaque to clients): where the next page starts.</summary>
    internal static string EncodeToken(int position) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(TokenPrefix + position.ToString(CultureInfo.InvariantCulture)));

    internal static int DecodeToken(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith(TokenPrefix, StringComparison.Ordinal)
                && int.TryParse(text[TokenPrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var position))
            {
                return position;
            }
        }
        catch (FormatException)
        {
        }

        throw new AwsErrorException(400, "InvalidPaginationToken", $"The pagination token '{token}' is invalid.");
    }
}
