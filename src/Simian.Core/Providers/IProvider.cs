using Simian.Core.Diagnostics;
using Simian.Core.Profiles;

namespace Simian.Core.Providers;

/// <summary>A family of target types (<c>local</c>, <c>aws</c>) sharing settings such as an endpoint or region.</summary>
public interface IProvider
{
    string Name { get; }

    /// <summary>Keys allowed in the profile's <c>providers.&lt;name&gt;</c> block.</summary>
    IReadOnlyCollection<string> SettingKeys { get; }

    IReadOnlyList<ITargetType> TargetTypes { get; }

    /// <summary>Checks the settings block; reports problems with locations.</summary>
    void ValidateSettings(ProviderSettings settings, DiagnosticBag diagnostics);
}
