namespace Simian.Sandbox.Policy;

/// <summary>A statement element the evaluator cannot read; the statement then counts as matching.</summary>
internal sealed class PolicyShapeException(string message) : Exception(message);
