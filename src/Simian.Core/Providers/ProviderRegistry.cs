namespace Simian.Core.Providers;

/// <summary>The providers this build knows, registered explicitly in one place (the CLI's composition root).</summary>
public sealed class ProviderRegistry
{
    private readonly Dictionary<string, IProvider> _providers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ITargetType> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), IFault> _helpers = new();

    public ProviderRegistry(IEnumerable<IProvider> providers)
    {
        foreach (var p in providers)
        {
            _providers.Add(p.Name, p);
            foreach (var t in p.TargetTypes) _types.Add(t.Name, t);
            if (p is IProviderLifecycle lifecycle)
            {
                foreach (var (type, fault) in lifecycle.HelperFaults) _helpers.Add((type, fault.Name), fault);
            }
        }
    }

    public IReadOnlyCollection<string> ProviderNames => _providers.Keys;

    /// <summary>Every registered provider, in registration order.</summary>
    public IReadOnlyCollection<IProvider> Providers => _providers.Values;

    public IReadOnlyCollection<string> TargetTypeNames => _types.Keys;

    public IProvider? Provider(string name) => _providers.GetValueOrDefault(name);

    public ITargetType? TargetType(string name) => _types.GetValueOrDefault(name);

    /// <summary>A fault by target type and name; also the undo code of a provider's journaled helpers (for recover).</summary>
    public IFault? Fault(string targetType, string fault) =>
        TargetType(targetType)?.Faults.FirstOrDefault(f => f.Name == fault) ?? _helpers.GetValueOrDefault((targetType, fault));
}
