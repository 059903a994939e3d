using System.Text.Json.Nodes;
using Simian.Core.Diagnostics;
using Simian.Core.Profiles;
using Simian.Core.Providers;
using Simian.Core.Yaml;

namespace Simian.Fuzz.Tests.Guard;

/// <summary>
/// Providers whose target types list whatever a generated case says each target matches. The types cover one that
/// declares cloud traits, one that declares local traits (no region, account or tags) and one without a provider
/// prefix that declares nothing (so gets the strictest, cloud, traits): the guard treats them differently.
/// </summary>
public sealed class FleetWorld
{
    public const string Cloud = "aws:fake:thing";
    public const string Local = "local:fake";
    public const string Bare = "fake";
    public static readonly string[] TypeNames = [Cloud, Local, Bare];

    private readonly Dictionary<string, IReadOnlyList<Resource>> _byTarget = new(StringComparer.Ordinal);

    public FleetWorld()
    {
        var types = TypeNames.Select(name => new ListedTargetType(name, this)).ToArray();
        Registry = new ProviderRegistry(
        [
            new StubProvider("aws", types[0]),
            new StubProvider("local", types[1]),
            new StubProvider("fake", types[2]),
        ]);
    }

    public ProviderRegistry Registry { get; }

    /// <summary>What each target's selector matches, in the order the provider lists it.</summary>
    public void Set(string target, IReadOnlyList<Resource> resources) => _byTarget[target] = resources;

    private IReadOnlyList<Resource> Resolve(string target) => _byTarget.GetValueOrDefault(target) ?? [];

    private sealed class ListedTargetType(string name, FleetWorld world) : ITargetType
    {
        public string Name => name;

        public TargetTraits Traits => name == Local ? TargetTraits.Local : TargetTraits.Cloud;

        public IReadOnlyList<IFault> Faults { get; } = [new PokeFault(reversible: true), new PokeFault(reversible: false)];

        public bool SupportsPer(string per) => true;

        public void ValidateSelector(YMapping selector, DiagnosticBag diagnostics)
        {
        }

        public Task<IReadOnlyList<Resource>> ResolveAsync(TargetSpec target, ProviderSettings settings, CancellationToken cancellationToken) =>
            Task.FromResult(world.Resolve(target.Name));
    }

    private sealed class StubProvider(string name, ITargetType type) : IProvider
    {
        public string Name => name;

        public IReadOnlyCollection<string> SettingKeys => [];

        public IReadOnlyList<ITargetType> TargetTypes => [type];

        public void ValidateSettings(ProviderSettings settings, DiagnosticBag diagnostics)
        {
        }
    }

    /// <summary>A fault that is only ever planned here, never applied.</summary>
    private sealed class PokeFault(bool reversible) : IFault
    {
        public string Name => reversible ? "poke" : "smash";

        public string Summary => Name;

        public bool Reversible => reversible;

        public void ValidateParams(YMapping parameters, DiagnosticBag diagnostics)
        {
        }

        public string Describe(YMapping parameters, TimeSpan? duration) => Name;

        public Task<JsonObject> CaptureAsync(FaultContext context, CancellationToken cancellationToken) => throw new NotSupportedException("planning only");

        public Task ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken) => throw new NotSupportedException("planning only");

        public Task<UndoOutcome> UndoAsync(UndoContext context, CancellationToken cancellationToken) => throw new NotSupportedException("planning only");
    }
}
