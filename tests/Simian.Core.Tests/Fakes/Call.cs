using System.Text.Json.Nodes;

namespace Simian.Core.Tests.Fakes;

/// <summary>One call a fake received, with when it happened on the log's clock and the undo data it saw.</summary>
public sealed record Call(string Kind, string Fault, string ResourceId, DateTimeOffset At, JsonObject? Data)
{
    public override string ToString() => $"{Kind} {Fault} {ResourceId}";

    public TimeSpan Since(Call earlier) => At - earlier.At;
}
