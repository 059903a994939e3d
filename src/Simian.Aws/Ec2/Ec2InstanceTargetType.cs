using Amazon.EC2.Model;
using Simian.Aws.Clients;
using Simian.Aws.Faults;
using Simian.Core.Diagnostics;
using Simian.Core.Profiles;
using Simian.Core.Providers;
using Simian.Core.Yaml;

namespace Simian.Aws.Ec2;

/// <summary><c>aws:ec2:instance</c>: EC2 instances in the settings' region, found with server-side filters.</summary>
internal sealed class Ec2InstanceTargetType : ITargetType
{
    private const int PageSize = 1000;
    private readonly AwsSessions _sessions;

    public Ec2InstanceTargetType(AwsSessions sessions)
    {
        _sessions = sessions;
        Faults = [new InstanceStopFault(sessions), new InstanceRebootFault(sessions), new InstanceTerminateFault(sessions)];
    }

    public string Name => "aws:ec2:instance";

    /// <summary>Region, account and tags, and each instance sits in an availability zone.</summary>
    public TargetTraits Traits => TargetTraits.Cloud with { Zoned = true };

    public IReadOnlyList<IFault> Faults { get; }

    public bool SupportsPer(string per) =>
        per is "zone" or "region" or "autoScalingGroup" || Simian.Core.Planning.Picker.IsTagPer(per);

    public IReadOnlyList<string> SelectorKeys => Ec2Selector.Keys;

    public void ValidateSelector(YMapping selector, DiagnosticBag diagnostics) => Ec2Selector.Read(selector, diagnostics);

    public async Task<IReadOnlyList<Resource>> ResolveAsync(TargetSpec target, ProviderSettings settings, CancellationToken cancellationToken)
    {
        var selector = Ec2Selector.Read(target.Selector, new DiagnosticBag());
        var session = _sessions.Get(settings.Values);
        // Fail closed: without the account the guard cannot check allowedAccounts, so nothing is listed.
        var caller = await session.CallerAsync(cancellationToken).ConfigureAwait(false);
        var filters = selector.Filters();
        var found = new List<Resource>();
        var pool = new StringPool();
        var scope = session.Scope(caller.Account, session.Region);
        string? token = null;
        do
        {
            var request = new DescribeInstancesRequest { Filters = filters, MaxResults = PageSize, NextToken = token };
            var page = await session.CallAsync(
                "cannot list EC2 instances (ec2:DescribeInstances)",
                ct => session.Ec2.DescribeInstancesAsync(request, ct),
                cancellationToken).ConfigureAwait(false);
            foreach (var reservation in page.Reservations ?? [])
            {
                foreach (var instance in reservation.Instances ?? [])
                {
                    if (selector.Matches(instance)) found.Add(Ec2Instances.ToResource(instance, session.Region, caller.Account, pool, scope));
                }
            }
            token = page.NextToken;
        }
        while (!string.IsNullOrEmpty(token));
        return found;
    }
}
