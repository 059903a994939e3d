using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Amazon.Runtime;
using Simian.Aws.Clients;

namespace Simian.Aws.AutoScaling;

/// <summary>What simian asks of Amazon EC2 Auto Scaling.</summary>
public interface IAutoScaling
{
    /// <summary>The group each of these instances belongs to (instances in no group are left out).</summary>
    Task<IReadOnlyList<AutoScalingInstance>> DescribeInstancesAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken);

    /// <summary>The group's suspended processes, or null when there is no such group.</summary>
    Task<IReadOnlyList<string>?> SuspendedProcessesAsync(string group, CancellationToken cancellationToken);

    Task SuspendProcessesAsync(string group, IReadOnlyList<string> processes, CancellationToken cancellationToken);

    Task ResumeProcessesAsync(string group, IReadOnlyList<string> processes, CancellationToken cancellationToken);

    /// <summary>Groups by name (all of them when <paramref name="names"/> is null), page by page.</summary>
    Task<IReadOnlyList<AutoScalingGroupInfo>> DescribeGroupsAsync(IReadOnlyList<string>? names, CancellationToken cancellationToken);

    /// <summary>Sets the group's subnets (UpdateAutoScalingGroup's VPCZoneIdentifier, comma-separated).</summary>
    Task UpdateSubnetsAsync(string group, string vpcZoneIdentifier, CancellationToken cancellationToken);
}

public sealed record AutoScalingInstance(string InstanceId, string Group, string LifecycleState);

/// <summary>What simian reads of a group: its subnets exactly as AWS returns them, its zones, tags and suspended processes.</summary>
public sealed record AutoScalingGroupInfo(string Name, string VpcZoneIdentifier, IReadOnlyList<string> Zones,
    IReadOnlyDictionary<string, string> Tags, IReadOnlyList<string> Suspended);

/// <summary>
/// The Auto Scaling Query API (2011-01-01) over HTTP, signed with SigV4 from the session's credentials (which
/// the SDK refreshes). Written here because no AWSSDK.AutoScaling package is available to this build; failures
/// surface as <see cref="AmazonServiceException"/>s so retries and messages match every other AWS call.
/// https://docs.aws.amazon.com/autoscaling/ec2/APIReference/CommonParameters.html
/// </summary>
internal sealed class AutoScalingClient(AwsConnection connection, HttpClient http, TimeProvider time) : IAutoScaling
{
    private static readonly XNamespace Ns = "http://autoscaling.amazonaws.com/doc/2011-01-01/";

    public async Task<IReadOnlyList<AutoScalingInstance>> DescribeInstancesAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
    {
        var found = new List<AutoScalingInstance>();
        // At most 50 ids per call (the API's MaxRecords limit for this action).
        foreach (var chunk in instanceIds.Chunk(50))
        {
            string? token = null;
            do
            {
                var parameters = new List<(string, string)> { ("MaxRecords", "50") };
                for (var i = 0; i < chunk.Length; i++) parameters.Add(($"InstanceIds.member.{i + 1}", chunk[i]));
                if (token is not null) parameters.Add(("NextToken", token));
                var result = await CallAsync("DescribeAutoScalingInstances", parameters, cancellationToken).ConfigureAwait(false);
                foreach (var member in result.Element(Ns + "AutoScalingInstances")?.Elements(Ns + "member") ?? [])
                {
                    found.Add(new AutoScalingInstance(
                        (string?)member.Element(Ns + "InstanceId") ?? "",
                        (string?)member.Element(Ns + "AutoScalingGroupName") ?? "",
                        (string?)member.Element(Ns + "LifecycleState") ?? ""));
                }

                token = (string?)result.Element(Ns + "NextToken") is { Length: > 0 } next ? next : null;
            }
            while (token is not null);
        }

        return found;
    }

    public async Task<IReadOnlyList<string>?> SuspendedProcessesAsync(string group, CancellationToken cancellationToken)
    {
        var result = await CallAsync("DescribeAutoScalingGroups",
            [("AutoScalingGroupNames.member.1", group), ("IncludeInstances", "false")], cancellationToken).ConfigureAwait(false);
        var match = result.Element(Ns + "AutoScalingGroups")?.Elements(Ns + "member")
            .FirstOrDefault(m => (string?)m.Element(Ns + "AutoScalingGroupName") == group);
        return match?.Element(Ns + "SuspendedProcesses")?.Elements(Ns + "member")
            .Select(m => (string?)m.Element(Ns + "ProcessName") ?? "")
            .Where(p => p.Length > 0)
            .ToList()
            ?? (match is null ? null : []);
    }

    public async Task<IReadOnlyList<AutoScalingGroupInfo>> DescribeGroupsAsync(IReadOnlyList<string>? names, CancellationToken cancellationToken)
    {
        var found = new List<AutoScalingGroupInfo>();
        // At most 100 names and 100 records per call.
        foreach (var chunk in names is null ? [null] : names.Chunk(100).Select(c => (string[]?)c))
        {
            string? token = null;
            do
            {
                var parameters = new List<(string, string)> { ("MaxRecords", "100"), ("IncludeInstances", "false") };
                for (var i = 0; i < (chunk?.Length ?? 0); i++) parameters.Add(($"AutoScalingGroupNames.member.{i + 1}", chunk![i]));
                if (token is not null) parameters.Add(("NextToken", token));
                var result = await CallAsync("DescribeAutoScalingGroups", parameters, cancellationToken).ConfigureAwait(false);
                foreach (var g in result.Element(Ns + "AutoScalingGroups")?.Elements(Ns + "member") ?? [])
                {
                    found.Add(new AutoScalingGroupInfo(
                        (string?)g.Element(Ns + "AutoScalingGroupName") ?? "",
                        (string?)g.Element(Ns + "VPCZoneIdentifier") ?? "",
                        [.. g.Element(Ns + "AvailabilityZones")?.Elements(Ns + "member").Select(z => z.Value) ?? []],
                        (g.Element(Ns + "Tags")?.Elements(Ns + "member") ?? [])
                            .Select(t => ((string?)t.Element(Ns + "Key") ?? "", (string?)t.Element(Ns + "Value") ?? ""))
                            .Where(t => t.Item1.Length > 0).GroupBy(t => t.Item1).ToDictionary(t => t.Key, t => t.Last().Item2, StringComparer.Ordinal),
                        [.. (g.Element(Ns + "SuspendedProcesses")?.Elements(Ns + "member") ?? []).Select(m => (string?)m.Element(Ns + "ProcessName") ?? "").Where(p => p.Length > 0)]));
                }

                token = (string?)result.Element(Ns + "NextToken") is { Length: > 0 } next ? next : null;
            }
            while (token is not null);
        }

        return found;
    }

    public Task UpdateSubnetsAsync(string group, string vpcZoneIdentifier, CancellationToken cancellationToken) =>
        CallAsync("UpdateAutoScalingGroup", [("AutoScalingGroupName", group), ("VPCZoneIdentifier", vpcZoneIdentifier)], cancellationToken);

    public Task SuspendProcessesAsync(string group, IReadOnlyList<string> processes, CancellationToken cancellationToken) =>
        CallAsync("SuspendProcesses", Processes(group, processes), cancellationToken);

    public Task ResumeProcessesAsync(string group, IReadOnlyList<string> processes, CancellationToken cancellationToken) =>
        CallAsync("ResumeProcesses", Processes(group, processes), cancellationToken);

    private static List<(string, string)> Processes(string group, IReadOnlyList<string> processes)
    {
        // An empty ScalingProcesses means every process; never send that by accident.
        if (processes.Count == 0) throw new ArgumentException("name at least one process", nameof(processes));
        var parameters = new List<(string, string)> { ("AutoScalingGroupName", group) };
        for (var i = 0; i < processes.Count; i++) parameters.Add(($"ScalingProcesses.member.{i + 1}", processes[i]));
        return parameters;
    }

    private Uri Endpoint => connection.Endpoint
        ?? new Uri($"https://autoscaling.{connection.Region}.{(connection.Region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com")}/");

    /// <summary>One signed POST; returns the action's Result element, or throws the service's error.</summary>
    private async Task<XElement> CallAsync(string action, IReadOnlyList<(string Name, string Value)> parameters, CancellationToken cancellationToken)
    {
        var body = string.Join('&', new[] { ("Action", action), ("Version", "2011-01-01") }.Concat(parameters)
            .Select(p => QuerySigner.Encode(p.Item1) + "=" + QuerySigner.Encode(p.Item2)));
        var bytes = Encoding.UTF8.GetBytes(body);
        var endpoint = Endpoint;
        var credentials = await connection.Credentials.GetCredentialsAsync().ConfigureAwait(false);
        var now = time.GetUtcNow();
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        const string contentType = "application/x-www-form-urlencoded; charset=utf-8";
        var host = endpoint.IsDefaultPort ? endpoint.Host : $"{endpoint.Host}:{endpoint.Port}";
        var headers = new List<(string, string)> { ("content-type", contentType), ("host", host), ("x-amz-date", amzDate) };
        if (credentials.UseToken) headers.Add(("x-amz-security-token", credentials.Token));
        var authorization = QuerySigner.Authorization("POST", endpoint.AbsolutePath.Length == 0 ? "/" : endpoint.AbsolutePath, "", headers,
            QuerySigner.Hex(SHA256.HashData(bytes)), credentials.AccessKey, credentials.SecretKey, now, connection.Region, "autoscaling");

        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        if (credentials.UseToken) request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.Token);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        XElement root;
        try
        {
            root = XElement.Parse(text);
        }
        catch (System.Xml.XmlException e)
        {
            throw new AmazonServiceException($"the answer to {action} is not XML ({e.Message})", e, ErrorType.Receiver,
                ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), null, response.StatusCode);
        }

        if (!response.IsSuccessStatusCode || root.Name.LocalName == "ErrorResponse")
        {
            var error = root.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            var code = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value ?? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var message = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value ?? response.ReasonPhrase ?? "";
            var requestId = root.Descendants().FirstOrDefault(e => e.Name.LocalName == "RequestId")?.Value;
            throw new AmazonServiceException(message, null, (int)response.StatusCode >= 500 ? ErrorType.Receiver : ErrorType.Sender, code, requestId,
                response.StatusCode == 0 ? HttpStatusCode.BadRequest : response.StatusCode);
        }

        return root.Element(Ns + action + "Result") ?? new XElement(Ns + action + "Result");
    }
}
