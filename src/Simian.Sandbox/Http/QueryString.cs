namespace Simian.Sandbox.Http;

/// <summary>Parses query strings and form bodies into ordered, decoded pairs.</summary>
internal static class QueryString
{
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(string raw, bool plusIsSpace)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrEmpty(raw))
        {
            return pairs;
        }

        foreach (var part in raw.Split('&'))
        {
            if (part.Length == 0)
            {
                continue;
            }

            var eq = part.IndexOf('=');
            var name = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? "" : part[(eq + 1)..];
            pairs.Add(new(Decode(name, plusIsSpace), Decode(value, plusIsSpace)));
        }

        return pairs;
    }

    private static string Decode(string text, bool plusIsSpace)
    {
        if (plusIsSpace)
        {
            text = text.Replace('+', ' ');
        }

        return Uri.UnescapeDataString(text);
    }
}
