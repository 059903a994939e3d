using Simian.Core.Planning;

namespace Simian.Core.Safety;

/// <summary>One safety rule. Return a verdict; throwing counts as a refusal (fail closed).</summary>
public interface IGuardCheck
{
    string Name { get; }

    GuardVerdict Evaluate(GuardInput input);
}

/// <summary>What checks look at: the draft plan and the current time.</summary>
public sealed record GuardInput(Plan Plan, DateTimeOffset Now, TargetLocks Locks);
