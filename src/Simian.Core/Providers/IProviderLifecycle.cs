using Simian.Core.Profiles;
using Simian.Core.Running;

namespace Simian.Core.Providers;

/// <summary>
/// Optional ability of a provider: set things up before a run resolves its targets (an embedded proxy, helper
/// processes the profile asks for) and tear them down when the run is over.
/// </summary>
public interface IProviderLifecycle
{
    Task<IAsyncDisposable> StartAsync(ProviderSettings settings, IRunObserver observer, CancellationToken cancellationToken);
}
