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

    /// <summary>
    /// What the planner and the guard may rely on about this type's resources. The default is the strictest: scoped
    /// to a region and account, and tagged — so a new type is checked by every scope and tag rule until it says
    /// otherwise (fail closed).
    /// </summary>
    TargetTraits Traits => TargetTraits.Cloud;

    /// <summary>Group keys <c>pick.per</c> accepts (e.g. <c>zone</c>, <c>tag:NAME</c>); empty when per is not supported.</summary>
    bool SupportsPer(string per) => false;

    /// <summary>
    /// The keys <see cref="ValidateSelector"/> accepts. A test holds every registered type to it: validation accepts
    /// exactly these, and the schema and <c>docs/profile-format.md</c> document each.
    /// </summary>
    IReadOnlyList<string> SelectorKeys => [];

    void ValidateSelector(YMapping selector, DiagnosticBag diagnostics);

    /// <summary>Lists what the selector matches now. Read-only: never changes anything.</summary>
    Task<IReadOnlyList<Resource>> ResolveAsync(TargetSpec target, ProviderSettings settings, CancellationToken cancellationToken);
}

/// <summary>
/// What a target type declares about its resources, so Core never names a provider. <paramref name="Scoped"/>: each
/// resource lives in a region and an account, checked by <c>safety.allowedRegions</c>/<c>allowedAccounts</c> (one
/// whose region or account is unknown is refused). <paramref name="Tagged"/>: resources carry tags, and one whose tags
/// are unknown is excluded while tag rules are set. <paramref name="Zoned"/>: resources sit in an availability zone
/// (<c>pick.per: zone</c>, zone outages).
/// </summary>
public sealed record TargetTraits(bool Scoped, bool Tagged, bool Zoned)
{
    /// <summary>A cloud resource: region, account and tags (and no zone unless the type says so).</summary>
    public static readonly TargetTraits Cloud = new(Scoped: true, Tagged: true, Zoned: false);

    /// <summary>Something on this machine: no region, no account, no tags.</summary>
    public static readonly TargetTraits Local = new(Scoped: false, Tagged: false, Zoned: false);
}
