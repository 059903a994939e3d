namespace Simian.Core.Diagnostics;

/// <summary>Suggests the closest known word for a misspelt one.</summary>
public static class DidYouMean
{
    public static string? Suggest(string word, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var d = Distance(word.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (d < bestDistance) { bestDistance = d; best = candidate; }
        }
        // Beyond a third of the word's length a suggestion is more confusing than helpful.
        return best is not null && bestDistance <= Math.Max(2, word.Length / 3) ? best : null;
    }

    /// <summary>"unknown key 'x' in metadata" plus a suggestion or the list of known words.</summary>
    public static string Unknown(string what, string word, IReadOnlyCollection<string> known, string? where = null)
    {
        var suggestion = Suggest(word, known);
        var place = where is null ? "" : $" {where}";
        return suggestion is not null
            ? $"unknown {what} '{word}'{place}; did you mean '{suggestion}'?"
            : $"unknown {what} '{word}'{place}; known: {string.Join(", ", known)}";
    }

    private static int Distance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
