using System.Text.Json.Nodes;

namespace Simian.Core.Tests.Fakes;

/// <summary>Every capture, apply, undo and keep-alive of every fake fault, in the order they happened.</summary>
public sealed class CallLog
{
    private readonly List<Call> _calls = [];

    /// <summary>The clock calls are timed on: the run's own (simulated) clock in runner tests.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    public void Add(string kind, string fault, string resourceId, JsonObject? data = null)
    {
        lock (_calls) _calls.Add(new Call(kind, fault, resourceId, Time.GetUtcNow(), data?.DeepClone() as JsonObject));
    }

    public IReadOnlyList<Call> Calls
    {
        get { lock (_calls) return _calls.ToList(); }
    }

    /// <summary>The calls as "kind fault resource" lines, optionally only those of some kinds.</summary>
    public IReadOnlyList<string> Lines(params string[] kinds) =>
        Calls.Where(c => kinds.Length == 0 || kinds.Contains(c.Kind)).Select(c => c.ToString()).ToList();

    public bool Contains(string line) => Calls.Any(c => c.ToString() == line);

    public Call Single(string line) => Assert.Single(Calls, c => c.ToString() == line);
}
