using Simian.Core.Diagnostics;
using Simian.Core.Profiles;
using Simian.Core.Providers;
using Simian.Core.Yaml;

namespace Simian.Core.Tests.Fakes;

public sealed class FakeProvider(string name, IReadOnlyCollection<string> settingKeys, params ITargetType[] types) : IProvider
{
    public string Name => name;

    public IReadOnlyCollection<string> SettingKeys => settingKeys;

    public IReadOnlyList<ITargetType> TargetTypes => types;

    public List<ProviderSettings> Validated { get; } = [];

    public void ValidateSettings(ProviderSettings settings, DiagnosticBag diagnostics)
    {
        Validated.Add(settings);
        if (settings.Node is not null) _ = new MapReader(settings.Node, diagnostics, $"providers.{name}", settingKeys);
    }
}
