using Simian.Core.Diagnostics;
using Simian.Core.Yaml;

namespace Simian.Aws.S3;

/// <summary>The <c>aws:s3:bucket</c> selector: <c>names</c>, <c>prefix</c> and <c>tags</c>, all of which must match.</summary>
internal sealed record S3Selector(IReadOnlyList<string>? Names, string? Prefix, IReadOnlyDictionary<string, string> Tags)
{
    public static readonly string[] Keys = ["names", "prefix", "tags"];

    public static S3Selector Read(YMapping selector, DiagnosticBag diagnostics)
    {
        var r = new MapReader(selector, diagnostics, "aws:s3:bucket selector", Keys);
        var names = r.StringList("names");
        if (names is { Count: 0 }) diagnostics.Error(r.LocationOf("names"), "'names' must not be empty (leave it out instead)");
        foreach (var (name, i) in (names ?? []).Select((n, i) => (n, i)))
        {
            if (!IsBucketName(name))
            {
                diagnostics.Error(((YSequence)r.Raw("names")!).Items[i].Location, $"'{name}' is not a valid S3 bucket name");
            }
        }
        var prefix = r.String("prefix");
        if (prefix is { Length: 0 }) diagnostics.Error(r.LocationOf("prefix"), "'prefix' must not be empty");
        var tags = r.StringMap("tags");
        if (tags is { Count: 0 }) diagnostics.Error(r.LocationOf("tags"), "'tags' must not be empty");
        if (names is null && prefix is null && tags is null)
        {
            diagnostics.Error(selector.Location,
                "aws:s3:bucket selector needs names, prefix or tags (an empty selector would match every bucket in the account)");
        }
        return new S3Selector(names, prefix, tags ?? new Dictionary<string, string>());
    }

    public bool MatchesName(string name) => Prefix is null || name.StartsWith(Prefix, StringComparison.Ordinal);

    public bool MatchesTags(IReadOnlyDictionary<string, string> tags) =>
        Tags.All(t => tags.TryGetValue(t.Key, out var v) && v == t.Value);

    private static bool IsBucketName(string name) =>
        name.Length is >= 3 and <= 63
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-')
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]);
}
