using System.Text.Json.Nodes;
using Simian.Core.Providers;

namespace Simian.Core.Tests.Fakes;

/// <summary>A fake fault that must be kept alive while held, like a proxy toxic with a time-to-live.</summary>
public sealed class FakeKeepAliveFault(string name, CallLog log, TimeSpan interval) : FakeFault(name, log), IKeepAliveFault
{
    public TimeSpan Interval { get; set; } = interval;

    public TimeSpan KeepAliveInterval(FaultContext context) => Interval;

    public Task KeepAliveAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        Log.Add("keep-alive", Name, context.Resource.Id);
        return Task.CompletedTask;
    }
}
