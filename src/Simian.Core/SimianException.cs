using Simian.Core.Diagnostics;

namespace Simian.Core;

/// <summary>An expected failure with a message for the user and an exit code; never shown as a stack trace.</summary>
public abstract class SimianException(string message, Exception? inner = null) : Exception(message, inner)
{
    public abstract int ExitCode { get; }
}

/// <summary>The profile (or another input file) is invalid.</summary>
public sealed class InvalidInputException(string message, IReadOnlyList<Diagnostic>? diagnostics = null) : SimianException(message)
{
    public IReadOnlyList<Diagnostic> Diagnostics { get; } = diagnostics ?? [];
    public override int ExitCode => ExitCodes.Invalid;
}

/// <summary>The guard, the approval step or a plan fingerprint refused; nothing was touched.</summary>
public sealed class RefusedException(string message) : SimianException(message)
{
    public override int ExitCode => ExitCodes.Refused;
}

/// <summary>A provider call failed: unreachable endpoint, missing credentials, access denied, unknown resource.</summary>
public sealed class ProviderException(string message, Exception? inner = null) : SimianException(message, inner)
{
    public override int ExitCode => ExitCodes.Provider;
}

/// <summary>The machine got in the way: a full disk, a port in use, a file that cannot be written.</summary>
public sealed class EnvironmentException(string message, Exception? inner = null) : SimianException(message, inner)
{
    public override int ExitCode => ExitCodes.Provider;
}
