using Simian.Reliability.Tests.Support;

namespace Simian.Reliability.Tests.Rollback;

/// <summary>A test with its own state folder and a real proxy world (proxy serve + demo server) for its faults.</summary>
public abstract class ProxyWorldTest : IAsyncLifetime
{
    protected ProxyWorld World { get; private set; } = null!;

    protected string State { get; } = Directory.CreateTempSubdirectory("simian-rollback-").FullName;

    public async Task InitializeAsync() => World = await ProxyWorld.StartAsync(State);

    public async Task DisposeAsync()
    {
        await World.DisposeAsync();
        try { Directory.Delete(State, recursive: true); } catch (IOException) { }
    }
}
