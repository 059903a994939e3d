using System.Globalization;
using System.Text;

namespace Simian.Sandbox.Http;

/// <summary>The parameters of a Query-protocol call (EC2, STS): the form body merged with the URL query.</summary>
internal sealed class QueryParameters
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public QueryParameters(SandboxRequest request)
    {
        foreach (var pair in request.Query)
        {
            _values[pair.Key] = pair.Value;
        }

        if (request.Method == "POST" && request.Body.Length > 0)
        {
            foreach (var pair in QueryString.Parse(Encoding.UTF8.GetString(request.Body), plusIsSpace: true))
            {
                _values[pair.Key] = pair.Value;
            }
        }
    }

    public string? this[string name] => _values.GetValueOrDefault(name);

    /// <summary>Every parameter name given.</summary>
    public IEnumerable<string> Names => _values.Keys;

    public bool Flag(string name) => string.Equals(this[name], "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Values of <c>Prefix.1</c>, <c>Prefix.2</c>, ... in index order.</summary>
    public IReadOnlyList<string> List(string prefix) =>
        Indexed(prefix).Select(i => _values[$"{prefix}.{i.ToString(CultureInfo.InvariantCulture)}"]).ToList();

    /// <summary>The N of every <c>Prefix.N</c> or <c>Prefix.N.Anything</c> parameter, ascending.</summary>
    public IReadOnlyList<int> Indexed(string prefix)
    {
        var indexes = new SortedSet<int>();
        foreach (var key in _values.Keys)
        {
            if (key.Length > prefix.Length + 1 && key.StartsWith(prefix, StringComparison.Ordinal) && key[prefix.Length] == '.')
            {
                var rest = key[(prefix.Length + 1)..];
                var dot = rest.IndexOf('.');
                if (int.TryParse(dot < 0 ? rest : rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    indexes.Add(index);
                }
            }
        }

        return indexes.ToList();
    }
}
