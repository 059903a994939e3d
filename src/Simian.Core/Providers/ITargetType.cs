using Simian.Core.Diagnostics;
using Simian.Core.Profiles;
using Simian.Core.Yaml;

namespace Simian.Core.Providers;

/// <summary>A kind of resource (<c>local:process</c>, <c>aws:s3:bucket</c>): how to select it and what faults it takes.</summary>
public interface ITargetType
{
    /// <summary>Full type name as written in profiles, e.g. <c>aws:ec2:instance</c>.</summary>
    string Name { get; }

    IReadOnlyList<IFault> Faults { get; }

    /// <summary>Group keys <c>pick.per</c> accepts (e.g. <c>zone</c>, <c>tag:NAME</c>); empty when per is not supported.</summary>
    bool SupportsPer(string per) => false;

    void ValidateSelector(YMapping selector, DiagnosticBag diagnostics);

    /// <summary>Lists what the selector matches now. Read-only: never changes anything.</summary>
    Task<IReadOnlyList<Resource>> ResolveAsync(TargetSpec target, ProviderSettings settings, CancellationToken cancellationToken);
}
