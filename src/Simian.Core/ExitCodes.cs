namespace Simian.Core;

/// <summary>Every exit code simian returns. The README's table is kept identical to this one.</summary>
public static class ExitCodes
{
    /// <summary>Success; for <c>run</c>, the hypothesis held.</summary>
    public const int Ok = 0;
    /// <summary>An internal error (a bug): please report it.</summary>
    public const int Internal = 1;
    /// <summary>Usage error or invalid profile.</summary>
    public const int Invalid = 2;
    /// <summary>Refused by the safety guard, by approval, or because the plan drifted. Nothing was changed.</summary>
    public const int Refused = 3;
    /// <summary>Provider or credentials error.</summary>
    public const int Provider = 4;
    /// <summary>The hypothesis deviated; faults were rolled back.</summary>
    public const int Deviated = 5;
    /// <summary>Rollback incomplete: manual action needed; the journal says what.</summary>
    public const int RollbackIncomplete = 6;
    /// <summary>Interrupted by SIGINT (Ctrl-C); rolled back.</summary>
    public const int Interrupted = 130;
    /// <summary>Terminated by SIGTERM; rolled back.</summary>
    public const int Terminated = 143;
}
