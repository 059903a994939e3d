using System.Globalization;
using System.Text;
using System.Xml;
using Simian.Sandbox.Auth;
using Simian.Sandbox.Ec2;
using Simian.Sandbox.Http;

namespace Simian.Sandbox.AutoScaling;

/// <summary>
/// The Amazon EC2 Auto Scaling Query API (version 2011-01-01): the calls a game day uses to see groups and to
/// keep them from replacing what it stops. Parameters the sandbox does not model are refused with 501, never
/// ignored. https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_Operations.html
/// </summary>
internal sealed class AutoScalingService : ISandboxService
{
    public const string Namespace = "http://autoscaling.amazonaws.com/doc/2011-01-01/";
    private const string TokenPrefix = "sandbox-asg:";

    private readonly Ec2InstanceStore _store;
    private readonly AutoScalingModel _model;

    private readonly Ec2.Network.NetworkStore? _network;

    public AutoScalingService(Ec2InstanceStore store, AutoScalingModel model, Ec2.Network.NetworkStore? network = null)
    {
        _network = network;
        _store = store;
        _model = model;
    }

    public string Name => "autoscaling";

    public bool AllowsAnonymous => false;

    public SandboxResponse Handle(SandboxRequest request, CallerIdentity caller, string requestId)
    {
        var p = new QueryParameters(request);
        var action = p["Action"];
        if (p["Version"] is { } version && version != "2011-01-01")
        {
            throw new AwsErrorException(400, "InvalidAction", $"Could not find operation {action} for version {version}");
        }

        if (action is not null && !caller.IsAllowed("autoscaling:" + action))
        {
            var group = p["AutoScalingGroupName"];
            throw new AwsErrorException(403, "AccessDenied",
                $"User: {caller.Arn} is not authorized to perform: autoscaling:{action} on resource: " +
                (group is null ? "*" : $"arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/{group}") +
                $" because no identity-based policy allows the autoscaling:{action} action");
        }

        SandboxResponse response;
        lock (_store.Gate)
        {
            var now = _store.Time.GetUtcNow();
            _store.Tick(now);
            response = action switch
            {
                "DescribeAutoScalingGroups" => DescribeGroups(p, requestId),
                "DescribeAutoScalingInstances" => DescribeInstances(p, requestId),
                "SuspendProcesses" => Processes(p, requestId, action, suspend: true, now),
                "ResumeProcesses" => Processes(p, requestId, action, suspend: false, now),
                "EnterStandby" => EnterStandby(p, requestId, now),
                "ExitStandby" => ExitStandby(p, requestId, now),
                "SetInstanceHealth" => SetInstanceHealth(p, requestId, now),
                "UpdateAutoScalingGroup" => Update(p, requestId),
                "DescribeScalingActivities" => DescribeActivities(p, requestId),
                null => throw new AwsErrorException(400, "MissingAction", "The request must contain the parameter Action."),
                _ => throw new AwsErrorException(501, "NotImplemented",
                    $"The sandbox does not model the Auto Scaling action {action} (see docs/aws.md for what it serves)."),
            };

            // What the call changed takes effect as it would on AWS: the next health check sees it.
            _store.Tick(now);
        }

        response.Action = action!;
        return response;
    }

    public AwsErrorException Describe(CommonError error, string detail) => error switch
    {
        CommonError.Throttled => new(400, "Throttling", "Rate exceeded"),
        CommonError.Internal => new(500, "InternalFailure", "An internal error has occurred."),
        CommonError.MissingAuthentication => new(403, "MissingAuthenticationToken", "Request is missing Authentication Token"),
        CommonError.UnknownAccessKey => new(403, "InvalidClientTokenId", "The security token included in the request is invalid."),
        CommonError.SignatureMismatch => new(403, "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."),
        CommonError.RequestTimeTooSkewed => new(400, "RequestExpired", $"Request has expired. Timestamp date is {detail}"),
        CommonError.InvalidToken => new(403, "InvalidClientTokenId", "The security token included in the request is invalid."),
        CommonError.ExpiredToken => new(400, "ExpiredToken", "The security token included in the request is expired"),
        _ => new(400, "IncompleteSignature", detail),
    };

    public SandboxResponse RenderError(AwsErrorException error, SandboxRequest request, string requestId) =>
        QueryXml.Error(error, requestId, Namespace);

    private SandboxResponse DescribeGroups(QueryParameters p, string requestId)
    {
        var names = p.List("AutoScalingGroupNames.member");
        var max = MaxRecords(p, 50, 100);
        var filters = Filters(p);
        var includeInstances = p["IncludeInstances"] is not { } include || !string.Equals(include, "false", StringComparison.OrdinalIgnoreCase);
        var all = _model.Groups
            .Where(g => names.Count == 0 || names.Contains(g.Name, StringComparer.Ordinal))
            .Where(g => filters.All(f => f(g)))
            .ToList();
        var (page, next) = Page(all, p["NextToken"], max);
        var snapshot = page.Select(g => GroupXml(g, includeInstances)).ToList();
        return Answer("DescribeAutoScalingGroups", requestId, w =>
        {
            w.WriteStartElement("AutoScalingGroups", Namespace);
            foreach (var write in snapshot) write(w);
            w.WriteEndElement();
            if (next is not null) w.WriteElementString("NextToken", Namespace, next);
        });
    }

    private SandboxResponse DescribeInstances(QueryParameters p, string requestId)
    {
        var ids = p.List("InstanceIds.member");
        var max = MaxRecords(p, 50, 50);
        var members = _model.Groups
            .SelectMany(g => g.Members.Select(m => (Group: g, Member: m)))
            .Where(x => ids.Count == 0 || ids.Contains(x.Member.Instance.Id, StringComparer.Ordinal))
            .OrderBy(x => x.Member.Instance.Id, StringComparer.Ordinal)
            .ToList();
        var (page, next) = Page(members, p["NextToken"], max);
        var rows = page.Select(x => (x.Group.Name, Row: MemberRow(x.Member))).ToList();
        return Answer("DescribeAutoScalingInstances", requestId, w =>
        {
            w.WriteStartElement("AutoScalingInstances", Namespace);
            foreach (var (group, row) in rows)
            {
                w.WriteStartElement("member", Namespace);
                w.WriteElementString("InstanceId", Namespace, row.Id);
                w.WriteElementString("InstanceType", Namespace, row.Type);
                w.WriteElementString("AutoScalingGroupName", Namespace, group);
                w.WriteElementString("AvailabilityZone", Namespace, row.Zone);
                w.WriteElementString("LifecycleState", Namespace, row.Lifecycle);
                w.WriteElementString("HealthStatus", Namespace, row.Health);
                w.WriteElementString("ProtectedFromScaleIn", Namespace, "false");
                w.WriteEndElement();
            }

            w.WriteEndElement();
            if (next is not null) w.WriteElementString("NextToken", Namespace, next);
        });
    }

    private SandboxResponse Processes(QueryParameters p, string requestId, string action, bool suspend, DateTimeOffset now)
    {
        var group = RequireGroup(p);
        var processes = p.List("ScalingProcesses.member");
        foreach (var process in processes)
        {
            if (!AutoScalingModel.Processes.Contains(process, StringComparer.Ordinal))
            {
                throw new AwsErrorException(400, "ValidationError", $"Process type {process} is not a valid process.");
            }
        }

        // Without ScalingProcesses, the call covers every process (API reference: ScalingProcesses).
        var chosen = processes.Count > 0 ? processes.Distinct(StringComparer.Ordinal).ToList() : AutoScalingModel.Processes.ToList();
        foreach (var process in chosen)
        {
            if (suspend && !group.IsSuspended(process)) group.Suspended.Add((process, AutoScalingModel.SuspensionReason(now)));
            if (!suspend) group.Suspended.RemoveAll(s => s.Process == process);
        }

        _model.Touch(group);
        return Empty(action, requestId);
    }

    private SandboxResponse EnterStandby(QueryParameters p, string requestId, DateTimeOffset now)
    {
        var group = RequireGroup(p);
        var decrement = p["ShouldDecrementDesiredCapacity"] switch
        {
            null => throw new AwsErrorException(400, "ValidationError", "1 validation error detected: Value null at 'shouldDecrementDesiredCapacity' failed to satisfy constraint: Member must not be null"),
            var text => string.Equals(text, "true", StringComparison.OrdinalIgnoreCase),
        };
        var members = Members(group, p.List("InstanceIds.member"));
        foreach (var member in members)
        {
            if (member.Lifecycle != LifecycleState.InService)
            {
                throw new AwsErrorException(400, "ValidationError",
                    $"The instance {member.Instance.Id} is not in InService.");
            }
        }

        if (decrement && group.DesiredCapacity - members.Count < group.MinSize)
        {
            throw new AwsErrorException(400, "ValidationError",
                $"AutoScalingGroup {group.Name} has min-size={group.MinSize}, max-size={group.MaxSize}, and desired-size={group.DesiredCapacity}. " +
                $"To place into standby {members.Count} instances, please update the AutoScalingGroup sizes appropriately.");
        }

        var activities = new List<Activity>();
        foreach (var member in members)
        {
            member.Lifecycle = LifecycleState.Standby;
            if (decrement) group.DesiredCapacity--;
            activities.Add(_model.Record(group, now, $"Moving EC2 instance to Standby: {member.Instance.Id}",
                $"At {AutoScalingModel.Stamp(now)} instance {member.Instance.Id} was moved to standby in response to a user request" +
                (decrement ? $", shrinking the capacity from {group.DesiredCapacity + 1} to {group.DesiredCapacity}." : ".")));
        }

        _model.Touch(group);
        return Answer("EnterStandby", requestId, w => WriteActivities(w, "Activities", activities));
    }

    private SandboxResponse ExitStandby(QueryParameters p, string requestId, DateTimeOffset now)
    {
        var group = RequireGroup(p);
        var members = Members(group, p.List("InstanceIds.member"));
        foreach (var member in members)
        {
            if (member.Lifecycle != LifecycleState.Standby)
            {
                throw new AwsErrorException(400, "ValidationError", $"The instance {member.Instance.Id} is not in Standby.");
            }
        }

        if (group.DesiredCapacity + members.Count > group.MaxSize)
        {
            throw new AwsErrorException(400, "ValidationError",
                $"AutoScalingGroup {group.Name} has min-size={group.MinSize}, max-size={group.MaxSize}, and desired-size={group.DesiredCapacity}. " +
                $"To move {members.Count} instances out of standby, please update the AutoScalingGroup sizes appropriately.");
        }

        var activities = new List<Activity>();
        foreach (var member in members)
        {
            member.Lifecycle = LifecycleState.InService;
            group.DesiredCapacity++;
            activities.Add(_model.Record(group, now, $"Moving EC2 instance out of Standby: {member.Instance.Id}",
                $"At {AutoScalingModel.Stamp(now)} instance {member.Instance.Id} was moved out of standby in response to a user request, " +
                $"increasing the capacity from {group.DesiredCapacity - 1} to {group.DesiredCapacity}."));
        }

        _model.Touch(group);
        return Answer("ExitStandby", requestId, w => WriteActivities(w, "Activities", activities));
    }

    private SandboxResponse SetInstanceHealth(QueryParameters p, string requestId, DateTimeOffset now)
    {
        var id = p["InstanceId"] ?? throw Missing("instanceId");
        var status = p["HealthStatus"] ?? throw Missing("healthStatus");
        if (status is not ("Healthy" or "Unhealthy"))
        {
            throw new AwsErrorException(400, "ValidationError", $"Valid values for health status are 'Healthy' and 'Unhealthy', not '{status}'.");
        }

        var found = _model.FindMember(id) ?? throw new AwsErrorException(400, "ValidationError",
            $"Instance Id not found - No instance(s) found with the ids {id}");
        var (group, member) = found;
        // ShouldRespectGracePeriod defaults to true: a call within the grace period is ignored.
        var respect = p["ShouldRespectGracePeriod"] is not { } text || !string.Equals(text, "false", StringComparison.OrdinalIgnoreCase);
        if (status == "Healthy")
        {
            member.Healthy = true;
        }
        else if (!respect || now >= member.Instance.LaunchTime.AddSeconds(group.HealthCheckGracePeriod))
        {
            _model.MarkUnhealthy(member, "a user health-check");
        }

        _model.Touch(group);
        return Empty("SetInstanceHealth", requestId);
    }

    private SandboxResponse Update(QueryParameters p, string requestId)
    {
        var group = RequireGroup(p);
        string[] modelled = ["Action", "Version", "AutoScalingGroupName", "MinSize", "MaxSize", "DesiredCapacity", "HealthCheckGracePeriod", "HealthCheckType", "VPCZoneIdentifier"];
        if (p.Names.FirstOrDefault(n => !modelled.Contains(n, StringComparer.Ordinal)) is { } other)
        {
            throw new AwsErrorException(501, "NotImplemented",
                $"The sandbox does not model UpdateAutoScalingGroup's {other.Split('.')[0]} (it models MinSize, MaxSize, DesiredCapacity, HealthCheckGracePeriod, HealthCheckType and VPCZoneIdentifier).");
        }

        var subnets = p["VPCZoneIdentifier"] is { } identifier ? Subnets(group, identifier) : null;

        var min = Int(p, "MinSize") ?? group.MinSize;
        var max = Int(p, "MaxSize") ?? group.MaxSize;
        var desired = Int(p, "DesiredCapacity") ?? Math.Clamp(group.DesiredCapacity, min, Math.Max(min, max));
        if (min > max)
        {
            throw new AwsErrorException(400, "ValidationError", $"Min size ({min}) is greater than max size ({max}).");
        }

        if (desired < min || desired > max)
        {
            throw new AwsErrorException(400, "ValidationError",
                $"Desired capacity:{desired} must be between the specified min size:{min} and max size:{max}");
        }

        if (desired < group.Capacity)
        {
            throw new AwsErrorException(501, "NotImplemented",
                $"The sandbox does not model scale-in (termination policies): desired capacity {desired} is below the {group.Capacity} instances in service.");
        }

        if (p["HealthCheckType"] is { } type && type is not ("EC2" or "ELB"))
        {
            throw new AwsErrorException(400, "ValidationError", $"Health check type {type} is not valid; use EC2 or ELB.");
        }

        group.MinSize = min;
        group.MaxSize = max;
        group.DesiredCapacity = desired;
        group.HealthCheckGracePeriod = Int(p, "HealthCheckGracePeriod") ?? group.HealthCheckGracePeriod;
        group.HealthCheckType = p["HealthCheckType"] ?? group.HealthCheckType;
        if (subnets is not null)
        {
            group.Subnets = [.. subnets.Select(s => s.Id)];
            group.Zones = [.. subnets.Select(s => s.Zone).Distinct(StringComparer.Ordinal)];
        }

        _model.Touch(group);
        return Empty("UpdateAutoScalingGroup", requestId);
    }

    /// <summary>
    /// A new VPCZoneIdentifier: comma-separated subnets that exist. Taking away a zone where the group has instances
    /// starts an AZRebalance on AWS (launch in the remaining zones, then terminate in the removed one:
    /// https://docs.aws.amazon.com/autoscaling/ec2/userguide/auto-scaling-benefits.html#AutoScalingBehavior.Rebalancing);
    /// the sandbox does not model rebalancing, so it refuses that unless AZRebalance is suspended.
    /// </summary>
    private List<Ec2.Network.Subnet> Subnets(AutoScalingGroup group, string identifier)
    {
        var ids = identifier.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (ids.Length == 0) throw new AwsErrorException(400, "ValidationError", "The VPCZoneIdentifier must name at least one subnet.");
        var known = _network?.Subnets ?? [];
        var subnets = new List<Ec2.Network.Subnet>();
        foreach (var id in ids)
        {
            subnets.Add(known.FirstOrDefault(s => s.Id == id)
                ?? throw new AwsErrorException(400, "ValidationError", $"The subnet ID '{id}' does not exist"));
        }

        var zones = subnets.Select(s => s.Zone).ToHashSet(StringComparer.Ordinal);
        var stranded = group.Members.Where(m => m.Lifecycle is LifecycleState.Pending or LifecycleState.InService && !zones.Contains(m.Instance.Zone)).ToList();
        if (stranded.Count > 0 && !group.IsSuspended("AZRebalance"))
        {
            throw new AwsErrorException(501, "NotImplemented",
                $"The sandbox does not model AZ rebalancing: this change takes away zone(s) {string.Join(", ", stranded.Select(m => m.Instance.Zone).Distinct().Order(StringComparer.Ordinal))} "
                + $"where {stranded.Count} instance(s) are in service, which on AWS starts an AZRebalance that terminates them; suspend AZRebalance first.");
        }

        return subnets;
    }

    private SandboxResponse DescribeActivities(QueryParameters p, string requestId)
    {
        var max = MaxRecords(p, 100, 100);
        var ids = p.List("ActivityIds.member");
        IEnumerable<AutoScalingGroup> groups = p["AutoScalingGroupName"] is { } name
            ? [_model.Find(name) ?? throw NotFound(name)]
            : _model.Groups;
        var activities = groups.SelectMany(g => g.Activities)
            .Where(a => ids.Count == 0 || ids.Contains(a.Id, StringComparer.Ordinal))
            .OrderByDescending(a => a.Start)
            .ToList();
        var (page, next) = Page(activities, p["NextToken"], max);
        return Answer("DescribeScalingActivities", requestId, w =>
        {
            WriteActivities(w, "Activities", page);
            if (next is not null) w.WriteElementString("NextToken", Namespace, next);
        });
    }

    private AutoScalingGroup RequireGroup(QueryParameters p)
    {
        var name = p["AutoScalingGroupName"] ?? throw Missing("autoScalingGroupName");
        return _model.Find(name) ?? throw NotFound(name);
    }

    private static List<Member> Members(AutoScalingGroup group, IReadOnlyList<string> ids)
    {
        if (ids.Count == 0) throw new AwsErrorException(400, "ValidationError", "The instance IDs must not be empty.");
        return ids.Distinct(StringComparer.Ordinal).Select(id =>
            group.Members.Find(m => m.Instance.Id == id)
            ?? throw new AwsErrorException(400, "ValidationError", $"The instance {id} is not part of Auto Scaling group {group.Name}.")).ToList();
    }

    private static AwsErrorException NotFound(string name) =>
        new(400, "ValidationError", $"AutoScalingGroup name not found - AutoScalingGroup {name} not found");

    private static AwsErrorException Missing(string member) =>
        new(400, "ValidationError", $"1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null");

    private static int? Int(QueryParameters p, string name) =>
        p[name] is not { } text ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw new AwsErrorException(400, "ValidationError", $"Value '{text}' at '{char.ToLowerInvariant(name[0])}{name[1..]}' is not a whole number.");

    private static int MaxRecords(QueryParameters p, int fallback, int limit)
    {
        var max = Int(p, "MaxRecords") ?? fallback;
        return max is >= 1 && max <= limit ? max
            : throw new AwsErrorException(400, "ValidationError",
                $"1 validation error detected: Value '{max}' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to {limit}");
    }

    /// <summary>tag-key, tag-value and tag:&lt;key&gt; filters (the API reference's Filters); any other name is refused.</summary>
    private static List<Func<AutoScalingGroup, bool>> Filters(QueryParameters p)
    {
        var filters = new List<Func<AutoScalingGroup, bool>>();
        foreach (var n in p.Indexed("Filters.member"))
        {
            var prefix = $"Filters.member.{n.ToString(CultureInfo.InvariantCulture)}";
            var name = p[prefix + ".Name"] ?? throw Missing("filters.member.name");
            var values = p.List(prefix + ".Values.member");
            filters.Add(name switch
            {
                "tag-key" => g => g.Tags.Keys.Any(values.Contains),
                "tag-value" => g => g.Tags.Values.Any(values.Contains),
                _ when name.StartsWith("tag:", StringComparison.Ordinal) =>
                    g => g.Tags.TryGetValue(name[4..], out var v) && values.Contains(v),
                _ => throw new AwsErrorException(400, "ValidationError", $"Filter name {name} is not valid; valid names are tag-key, tag-value and tag:<key>."),
            });
        }

        return filters;
    }

    private static (List<T> Page, string? Next) Page<T>(List<T> all, string? token, int max)
    {
        var start = 0;
        if (token is { Length: > 0 })
        {
            string text;
            try
            {
                text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            }
            catch (FormatException)
            {
                text = "";
            }

            if (!text.StartsWith(TokenPrefix, StringComparison.Ordinal)
                || !int.TryParse(text[TokenPrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out start))
            {
                throw new AwsErrorException(400, "InvalidNextToken", "The token provided is not valid.");
            }
        }

        var page = all.Skip(start).Take(max).ToList();
        var next = start + max < all.Count
            ? Convert.ToBase64String(Encoding.UTF8.GetBytes(TokenPrefix + (start + max).ToString(CultureInfo.InvariantCulture)))
            : null;
        return (page, next);
    }

    private sealed record Row(string Id, string Type, string Zone, string Lifecycle, string Health);

    private static Row MemberRow(Member m) =>
        new(m.Instance.Id, m.Instance.Type, m.Instance.Zone, Member.Name(m.Lifecycle), m.Healthy ? "Healthy" : "Unhealthy");

    /// <summary>Copies the group under the lock; the returned writer runs after.</summary>
    private static Action<XmlWriter> GroupXml(AutoScalingGroup g, bool includeInstances)
    {
        var rows = includeInstances ? g.Members.Select(MemberRow).ToList() : [];
        var suspended = g.Suspended.ToList();
        var zones = g.Zones.ToList();
        var subnetIds = g.SubnetIds.ToList();
        var tags = g.Tags.ToList();
        var (name, arn, min, max, desired, grace, type, created) =
            (g.Name, g.Arn, g.MinSize, g.MaxSize, g.DesiredCapacity, g.HealthCheckGracePeriod, g.HealthCheckType, g.CreatedTime);
        return w =>
        {
            var ns = Namespace;
            w.WriteStartElement("member", ns);
            w.WriteElementString("AutoScalingGroupName", ns, name);
            w.WriteElementString("AutoScalingGroupARN", ns, arn);
            w.WriteElementString("MinSize", ns, min.ToString(CultureInfo.InvariantCulture));
            w.WriteElementString("MaxSize", ns, max.ToString(CultureInfo.InvariantCulture));
            w.WriteElementString("DesiredCapacity", ns, desired.ToString(CultureInfo.InvariantCulture));
            w.WriteElementString("DefaultCooldown", ns, "300");
            w.WriteStartElement("AvailabilityZones", ns);
            foreach (var zone in zones) w.WriteElementString("member", ns, zone);
            w.WriteEndElement();
            w.WriteElementString("HealthCheckType", ns, type);
            w.WriteElementString("HealthCheckGracePeriod", ns, grace.ToString(CultureInfo.InvariantCulture));
            w.WriteStartElement("Instances", ns);
            foreach (var row in rows)
            {
                w.WriteStartElement("member", ns);
                w.WriteElementString("InstanceId", ns, row.Id);
                w.WriteElementString("InstanceType", ns, row.Type);
                w.WriteElementString("AvailabilityZone", ns, row.Zone);
                w.WriteElementString("LifecycleState", ns, row.Lifecycle);
                w.WriteElementString("HealthStatus", ns, row.Health);
                w.WriteElementString("ProtectedFromScaleIn", ns, "false");
                w.WriteEndElement();
            }

            w.WriteEndElement();
            w.WriteElementString("CreatedTime", ns, created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            w.WriteStartElement("SuspendedProcesses", ns);
            foreach (var (process, reason) in suspended)
            {
                w.WriteStartElement("member", ns);
                w.WriteElementString("ProcessName", ns, process);
                w.WriteElementString("SuspensionReason", ns, reason);
                w.WriteEndElement();
            }

            w.WriteEndElement();
            w.WriteElementString("VPCZoneIdentifier", ns, string.Join(',', subnetIds));
            w.WriteStartElement("Tags", ns);
            foreach (var (key, value) in tags)
            {
                w.WriteStartElement("member", ns);
                w.WriteElementString("ResourceId", ns, name);
                w.WriteElementString("ResourceType", ns, "auto-scaling-group");
                w.WriteElementString("Key", ns, key);
                w.WriteElementString("Value", ns, value);
                w.WriteElementString("PropagateAtLaunch", ns, "true");
                w.WriteEndElement();
            }

            w.WriteEndElement();
            w.WriteStartElement("TerminationPolicies", ns);
            w.WriteElementString("member", ns, "Default");
            w.WriteEndElement();
            w.WriteEndElement();
        };
    }

    private static void WriteActivities(XmlWriter w, string element, IEnumerable<Activity> activities)
    {
        var ns = Namespace;
        w.WriteStartElement(element, ns);
        foreach (var a in activities)
        {
            w.WriteStartElement("member", ns);
            w.WriteElementString("ActivityId", ns, a.Id);
            w.WriteElementString("AutoScalingGroupName", ns, a.GroupName);
            w.WriteElementString("Description", ns, a.Description);
            w.WriteElementString("Cause", ns, a.Cause);
            w.WriteElementString("StartTime", ns, a.Start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            if (a.End is { } end) w.WriteElementString("EndTime", ns, end.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            w.WriteElementString("StatusCode", ns, a.Status);
            w.WriteElementString("Progress", ns, "100");
            w.WriteElementString("Details", ns, a.Details);
            w.WriteEndElement();
        }

        w.WriteEndElement();
    }

    private static SandboxResponse Answer(string action, string requestId, Action<XmlWriter> result) =>
        SandboxResponse.Xml(200, w =>
        {
            w.WriteStartElement(action + "Response", Namespace);
            w.WriteStartElement(action + "Result", Namespace);
            result(w);
            w.WriteEndElement();
            Metadata(w, requestId);
            w.WriteEndElement();
        });

    private static SandboxResponse Empty(string action, string requestId) =>
        SandboxResponse.Xml(200, w =>
        {
            w.WriteStartElement(action + "Response", Namespace);
            Metadata(w, requestId);
            w.WriteEndElement();
        });

    private static void Metadata(XmlWriter w, string requestId) => QueryXml.Metadata(w, requestId, Namespace);
}
