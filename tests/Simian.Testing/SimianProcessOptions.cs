namespace Simian.Testing;

/// <summary>How a <see cref="SimianProcess"/> prepares the child's environment, before the test's own variables are applied.</summary>
public sealed record SimianProcessOptions
{
    /// <summary>Without SIMIAN_DEBUG.</summary>
    public static SimianProcessOptions Default { get; } = new();

    /// <summary>Sets SIMIAN_DEBUG=1, so that an unexpected error prints its stack trace.</summary>
    public bool Debug { get; init; }
}
