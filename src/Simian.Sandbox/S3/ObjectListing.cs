namespace Simian.Sandbox.S3;

/// <summary>One page of a bucket listing: objects, rolled-up common prefixes, and where it stopped.</summary>
internal sealed record ObjectListing(
    IReadOnlyList<S3Object> Contents,
    IReadOnlyList<string> CommonPrefixes,
    bool IsTruncated,
    string? LastEntry)
{
    /// <summary>
    /// Lists keys under <paramref name="prefix"/> in binary order after <paramref name="after"/>, rolling keys that
    /// contain <paramref name="delimiter"/> past the prefix into common prefixes, each counting once toward
    /// <paramref name="maxKeys"/>.
    /// </summary>
    public static ObjectListing Create(S3Bucket bucket, string prefix, string? delimiter, string? after, int maxKeys)
    {
        var contents = new List<S3Object>();
        var prefixes = new List<string>();
        if (maxKeys <= 0)
        {
            return new ObjectListing(contents, prefixes, false, null);
        }

        string? last = null;
        foreach (var (key, value) in bucket.Objects)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            string? commonPrefix = null;
            if (!string.IsNullOrEmpty(delimiter))
            {
                var at = key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
                if (at >= 0)
                {
                    commonPrefix = key[..(at + delimiter.Length)];
                }
            }

            var entry = commonPrefix ?? key;
            if (after is not null && string.CompareOrdinal(entry, after) <= 0)
            {
                continue;
            }

            if (commonPrefix is not null && prefixes.Count > 0 && prefixes[^1] == commonPrefix)
            {
                continue;
            }

            if (contents.Count + prefixes.Count >= maxKeys)
            {
                return new ObjectListing(contents, prefixes, true, last);
            }

            if (commonPrefix is not null)
            {
                prefixes.Add(commonPrefix);
            }
            else
            {
                contents.Add(value);
            }

            last = entry;
        }

        return new ObjectListing(contents, prefixes, false, last);
    }
}
