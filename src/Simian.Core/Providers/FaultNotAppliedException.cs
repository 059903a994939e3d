namespace Simian.Core.Providers;

/// <summary>
/// Thrown by a fault's apply when it is certain nothing was changed (the operating system refused a signal, the
/// process was already gone): the change is recorded as never made, so there is nothing to undo or recover.
/// </summary>
public sealed class FaultNotAppliedException(string message, Exception? inner = null) : Exception(message, inner);
