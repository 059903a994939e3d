using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Simian.Core.Tests.Fakes;

/// <summary>One call a fake received, with when it happened (monotonic) and the undo data it saw.</summary>
public sealed record Call(string Kind, string Fault, string ResourceId, long Timestamp, JsonObject? Data)
{
    public override string ToString() => $"{Kind} {Fault} {ResourceId}";

    public TimeSpan Since(Call earlier) => Stopwatch.GetElapsedTime(earlier.Timestamp, Timestamp);
}
