namespace Simian.Proxy.Tests;

/// <summary>Every test runs under one of these so a broken proxy fails the test instead of hanging the run.</summary>
internal static class TestTimeout
{
    public static CancellationTokenSource Start(int seconds = 15) => new(TimeSpan.FromSeconds(seconds));
}
