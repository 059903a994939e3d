namespace Simian.Core.Tests.Fakes;

/// <summary>Finds where a piece of text sits in a document, to check reported locations against.</summary>
public static class Source
{
    /// <summary>1-based line and column of the <paramref name="nth"/> occurrence of <paramref name="marker"/>.</summary>
    public static (int Line, int Column) At(string text, string marker, int nth = 1)
    {
        var index = -1;
        for (var i = 0; i < nth; i++)
        {
            index = text.IndexOf(marker, index + 1, StringComparison.Ordinal);
            if (index < 0) throw new ArgumentException($"'{marker}' occurs fewer than {nth} times");
        }
        var line = 1 + text.AsSpan(0, index).Count('\n');
        var lineStart = text.LastIndexOf('\n', Math.Max(0, index - 1)) + 1;
        if (index == 0) lineStart = 0;
        return (line, index - lineStart + 1);
    }
}
