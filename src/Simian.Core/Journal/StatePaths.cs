namespace Simian.Core.Journal;

/// <summary>Where simian keeps journals and lock files: a per-user state folder.</summary>
public sealed record StatePaths(string Root)
{
    public string Journals => Path.Combine(Root, "journals");

    public string Locks => Path.Combine(Root, "locks");

    /// <summary>SIMIAN_STATE_DIR, else $XDG_STATE_HOME/simian, else ~/.local/state/simian.</summary>
    public static StatePaths FromEnvironment(Func<string, string?> env)
    {
        var explicitRoot = env("SIMIAN_STATE_DIR");
        if (!string.IsNullOrEmpty(explicitRoot)) return new StatePaths(explicitRoot);
        var xdg = env("XDG_STATE_HOME");
        if (!string.IsNullOrEmpty(xdg)) return new StatePaths(Path.Combine(xdg, "simian"));
        var home = env("HOME");
        if (string.IsNullOrEmpty(home)) home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new StatePaths(Path.Combine(home, ".local", "state", "simian"));
    }

    public string NewJournalPath(string experiment, string runId, DateTimeOffset now) =>
        Path.Combine(Journals, $"{now:yyyyMMdd'T'HHmmss'Z'}-{experiment}-{runId}.jsonl");

    public IEnumerable<string> ExistingJournals() =>
        Directory.Exists(Journals) ? Directory.EnumerateFiles(Journals, "*.jsonl").Order(StringComparer.Ordinal) : [];
}
