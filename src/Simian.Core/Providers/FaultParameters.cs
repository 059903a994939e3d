using System.Runtime.CompilerServices;
using Simian.Core.Diagnostics;
using Simian.Core.Yaml;

namespace Simian.Core.Providers;

/// <summary>
/// Typed fault parameters, read once. A fault declares a record for its <c>params</c> and one function that reads it
/// (reporting each problem at its file:line:column); <see cref="Read{T}"/> runs it when the profile is loaded and keeps
/// the record with the step's mapping, so describe, preflight and apply get the same record through
/// <see cref="Get{T}"/> instead of reading the YAML again.
/// </summary>
public static class FaultParameters
{
    private static readonly ConditionalWeakTable<YMapping, object> Records = new();

    /// <summary>At load: reads and checks the step's params; a valid record is kept with the mapping.</summary>
    public static T Read<T>(YMapping parameters, DiagnosticBag diagnostics, string context, IReadOnlyCollection<string> keys, Func<MapReader, T> read)
        where T : class
    {
        var before = diagnostics.Items.Count;
        var record = read(new MapReader(parameters, diagnostics, context, keys));
        if (diagnostics.Items.Count == before) Records.AddOrUpdate(parameters, record);
        return record;
    }

    /// <summary>The record read at load; a mapping that was never loaded (a test's) is read now, its problems ignored as before.</summary>
    public static T Get<T>(YMapping parameters, string context, IReadOnlyCollection<string> keys, Func<MapReader, T> read)
        where T : class =>
        Records.TryGetValue(parameters, out var kept) && kept is T record
            ? record
            : read(new MapReader(parameters, new DiagnosticBag(), context, keys));
}

/// <summary>The params of a fault that takes none.</summary>
public sealed class NoParameters
{
    public static readonly NoParameters Instance = new();

    private NoParameters()
    {
    }
}
