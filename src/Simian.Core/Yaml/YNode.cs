using Simian.Core.Diagnostics;

namespace Simian.Core.Yaml;

/// <summary>A YAML node with the place it came from; the profile model is read from these.</summary>
public abstract class YNode
{
    protected YNode(SourceLocation location) => Location = location;

    public SourceLocation Location { get; }

    public abstract string KindName { get; }
}

public sealed class YScalar : YNode
{
    public YScalar(string value, bool quoted, SourceLocation location) : base(location)
    {
        Value = value;
        Quoted = quoted;
    }

    public string Value { get; }

    /// <summary>Quoted scalars are always strings, never null or numbers.</summary>
    public bool Quoted { get; }

    public bool IsNull => !Quoted && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string KindName => IsNull ? "null" : "a scalar";
}

public sealed class YSequence : YNode
{
    public YSequence(IReadOnlyList<YNode> items, SourceLocation location) : base(location) => Items = items;

    public IReadOnlyList<YNode> Items { get; }

    public override string KindName => "a list";
}

public sealed class YMapping : YNode
{
    public YMapping(IReadOnlyList<KeyValuePair<YScalar, YNode>> entries, SourceLocation location) : base(location) => Entries = entries;

    public IReadOnlyList<KeyValuePair<YScalar, YNode>> Entries { get; }

    public override string KindName => "a mapping";

    public YNode? Get(string key)
    {
        foreach (var e in Entries)
        {
            if (e.Key.Value == key) return e.Value;
        }
        return null;
    }

    public KeyValuePair<YScalar, YNode>? Entry(string key)
    {
        foreach (var e in Entries)
        {
            if (e.Key.Value == key) return e;
        }
        return null;
    }
}
