using Simian.Core.Profiles;
using Simian.Core.Yaml;

namespace Simian.Core.Providers;

/// <summary>
/// Optional ability of a fault: checks made while planning, before anyone approves, for a whole step at once —
/// whether the caller may make the change and undo it (a dry run where the cloud offers one), and what else the
/// change will touch (an Auto Scaling group's processes). Only reads and dry runs: nothing may change here.
/// A <see cref="PreflightVerdict.Refused"/> note fails the guard, so a change that could not be undone is never made.
/// </summary>
public interface IPreflightFault
{
    Task<IReadOnlyList<PreflightNote>> PreflightAsync(PreflightContext context, CancellationToken cancellationToken);
}

public sealed record PreflightContext(
    string StepName,
    IReadOnlyList<Resource> Resources,
    YMapping Parameters,
    TimeSpan? Duration,
    ProviderSettings Settings);

public enum PreflightVerdict
{
    /// <summary>What the change will also do (e.g. suspend a group's health checks): shown, not judged.</summary>
    Info,
    /// <summary>Checked and allowed (a dry run answered that the call would succeed).</summary>
    Allowed,
    /// <summary>No way to check beforehand (no dry run exists): said so, not judged.</summary>
    NotChecked,
    /// <summary>Checked and refused: the guard fails.</summary>
    Refused,
}

public sealed record PreflightNote(PreflightVerdict Verdict, string Text)
{
    public static string Name(PreflightVerdict verdict) => verdict switch
    {
        PreflightVerdict.Allowed => "allowed",
        PreflightVerdict.NotChecked => "not checked",
        PreflightVerdict.Refused => "refused",
        _ => "info",
    };
}
