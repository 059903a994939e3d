using Simian.Core.Diagnostics;
using Simian.Core.Profiles;
using Simian.Core.Providers;
using Simian.Core.Yaml;

namespace Simian.Core.Tests.Fakes;

/// <summary>A target type that resolves to whatever resources the test configures.</summary>
public sealed class FakeTargetType(string name, params IFault[] faults) : ITargetType
{
    public string Name => name;

    public IReadOnlyList<IFault> Faults => faults;

    /// <summary>Keys allowed in the selector; null accepts any.</summary>
    public IReadOnlyCollection<string>? SelectorKeys { get; init; }

    public IReadOnlyCollection<string> PerKeys { get; init; } = [];

    public TargetTraits Traits { get; init; } = TargetTraits.Cloud;

    public IReadOnlyList<Resource> Resources { get; set; } = [];

    /// <summary>Thrown by ResolveAsync when set, to act like an unreachable provider.</summary>
    public Exception? ResolveError { get; set; }

    public int ResolveCalls { get; private set; }

    public bool SupportsPer(string per) => PerKeys.Contains(per);

    public void ValidateSelector(YMapping selector, DiagnosticBag diagnostics)
    {
        if (SelectorKeys is not null) _ = new MapReader(selector, diagnostics, $"selector of {name}", SelectorKeys);
    }

    public Task<IReadOnlyList<Resource>> ResolveAsync(TargetSpec target, ProviderSettings settings, CancellationToken cancellationToken)
    {
        ResolveCalls++;
        if (ResolveError is not null) throw ResolveError;
        return Task.FromResult(Resources);
    }
}
