using System.Text;
using Simian.Core.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Simian.Core.Yaml;

/// <summary>
/// Builds a located node tree from YAML with YamlDotNet's parser. Written by hand rather than with the object
/// deserializer so that every error has a line and column, duplicate keys are caught, alias bombs and deep
/// nesting are bounded, and nothing relies on reflection (Native AOT).
/// </summary>
public static class YamlDocumentReader
{
    public const int MaxBytes = 1024 * 1024;
    public const int MaxDepth = 64;

    /// <summary>How many nodes the tree may hold, counting every use of an alias as its full size.</summary>
    public const int MaxNodes = 100_000;

    /// <summary>How many characters of keys and values the tree may hold, again counting every use of an alias in full.</summary>
    public const int MaxTextChars = 4 * MaxBytes;

    public static YNode? ReadFile(string path, DiagnosticBag diagnostics)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                diagnostics.Error(new SourceLocation(path, 1, 1), "file not found");
                return null;
            }
            if (Platform.Posix.Stat(path) is { IsRegularFile: false } kind)
            {
                diagnostics.Error(new SourceLocation(path, 1, 1), $"it is {kind.KindText}, not a regular file");
                return null;
            }
            if (info.Length > MaxBytes)
            {
                diagnostics.Error(new SourceLocation(path, 1, 1), $"file is {info.Length} bytes; a profile may be at most {MaxBytes} bytes");
                return null;
            }
            bytes = Simian.Shared.BoundedRead.Bytes(path, MaxBytes, "profile");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Error(new SourceLocation(path, 1, 1), $"cannot read file: {e.Message}");
            return null;
        }
        return ReadBytes(bytes, path, diagnostics);
    }

    public static YNode? ReadBytes(byte[] bytes, string path, DiagnosticBag diagnostics)
    {
        if (bytes.Length > MaxBytes)
        {
            diagnostics.Error(new SourceLocation(path, 1, 1), $"file is {bytes.Length} bytes; a profile may be at most {MaxBytes} bytes");
            return null;
        }
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            diagnostics.Error(LocateByte(bytes, Math.Max(0, e.Index), path), "file is not valid UTF-8");
            return null;
        }
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        return ReadText(text, path, diagnostics);
    }

    public static YNode? ReadText(string text, string path, DiagnosticBag diagnostics)
    {
        // The same limit as for files, for callers that already hold the text (UTF-8 never has fewer bytes than chars).
        if (text.Length > MaxBytes)
        {
            diagnostics.Error(new SourceLocation(path, 1, 1), $"profile is {text.Length} characters; a profile may be at most {MaxBytes} bytes");
            return null;
        }
        Builder? builder = null;
        Scanner? scanner = null;
        try
        {
            scanner = new Scanner(new StringReader(text));
            var parser = new Parser(scanner);
            builder = new Builder(parser, path, diagnostics);
            return builder.ReadSingleDocument();
        }
        catch (YamlException e)
        {
            var at = new SourceLocation(path, (int)Math.Max(1, e.Start.Line), (int)Math.Max(1, e.Start.Column));
            // YamlDotNet places tab errors at an enclosing node, often lines earlier: point at the tab itself.
            if (e.Message.Contains("tab", StringComparison.Ordinal)) at = IndentationTab(text, at) ?? at;
            diagnostics.Error(at, Clean(e.Message));
            return null;
        }
        catch (TreeLimitException e)
        {
            diagnostics.Error(e.Location, e.Message);
            return null;
        }
        catch (InvalidOperationException) when (builder is not null)
        {
            // YamlDotNet's scanner fails this way, not with a YamlException, on some unclosed flow collections.
            diagnostics.Error(builder.FailureLocation, "invalid YAML here: is a '[', '{' or quote left unclosed?");
            return null;
        }
        catch (ArgumentException) when (scanner is not null)
        {
            // YamlDotNet's scanner fails this way, not with a YamlException, on an escape such as "\uDFFF\uD800"
            // that names no character. Its position is just past the escape.
            var m = scanner.CurrentPosition;
            diagnostics.Error(new SourceLocation(path, (int)Math.Max(1, m.Line), (int)Math.Max(1, m.Column)),
                "invalid YAML here: a \\u or \\U escape that is not a valid Unicode character?");
            return null;
        }
    }

    /// <summary>The first tab in a line's leading whitespace at or after <paramref name="reported"/>'s line.</summary>
    private static SourceLocation? IndentationTab(string text, SourceLocation reported)
    {
        var lines = text.Split('\n');
        for (var i = reported.Line - 1; i < lines.Length; i++)
        {
            for (var c = 0; c < lines[i].Length && lines[i][c] is ' ' or '\t'; c++)
            {
                if (lines[i][c] == '\t') return reported with { Line = i + 1, Column = c + 1 };
            }
        }
        return null;
    }

    private static string Clean(string message)
    {
        // YamlDotNet prefixes messages with "(Line: 1, Col: 2, Idx: 3) - (Line ...): " which we already print.
        var idx = message.LastIndexOf("): ", StringComparison.Ordinal);
        var m = idx >= 0 && message.StartsWith("(Line", StringComparison.Ordinal) ? message[(idx + 3)..] : message;
        return m.Length > 0 && char.IsUpper(m[0]) && (m.Length < 2 || !char.IsUpper(m[1])) ? char.ToLowerInvariant(m[0]) + m[1..] : m;
    }

    private static SourceLocation LocateByte(byte[] bytes, int index, string path)
    {
        int line = 1, column = 1;
        for (var i = 0; i < index && i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n') { line++; column = 1; }
            // Count characters, not bytes: UTF-8 continuation bytes (10xxxxxx) do not start one.
            else if ((bytes[i] & 0xC0) != 0x80) column++;
        }
        return new SourceLocation(path, line, column);
    }

    private sealed class TreeLimitException(SourceLocation location, string message) : Exception(message)
    {
        public SourceLocation Location { get; } = location;
    }

    private sealed class Builder(IParser parser, string path, DiagnosticBag diagnostics)
    {
        private readonly Dictionary<string, (YNode Node, int Size, long Chars)> _anchors = new(StringComparer.Ordinal);
        private readonly Stack<Mark> _openFlow = new();
        private Mark _last = Mark.Empty;
        private long _nodes;
        private long _chars;

        /// <summary>Where to blame a parser failure: the innermost open flow collection, else the last node read.</summary>
        public SourceLocation FailureLocation => Loc(_openFlow.Count > 0 ? _openFlow.Peek() : _last);

        public YNode? ReadSingleDocument()
        {
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _))
            {
                return null;
            }
            parser.Consume<DocumentStart>();
            var (root, _, _) = ReadNode(0);
            parser.Consume<DocumentEnd>();
            if (parser.Current is DocumentStart ds)
            {
                diagnostics.Error(Loc(ds.Start), "a profile file holds one YAML document; found a second");
            }
            return root;
        }

        private SourceLocation Loc(Mark m) => new(path, (int)Math.Max(1, m.Line), (int)Math.Max(1, m.Column));

        private void Count(int size, long chars, Mark at)
        {
            _nodes += size;
            _chars += chars;
            if (_nodes > MaxNodes)
            {
                throw new TreeLimitException(Loc(at), $"document expands to more than {MaxNodes} nodes (an alias bomb?)");
            }
            // A few aliases of a long string are as costly as many nodes: everything downstream copies the text.
            if (_chars > MaxTextChars)
            {
                throw new TreeLimitException(Loc(at), $"document expands to more than {MaxTextChars} characters of text (an alias bomb?)");
            }
        }

        private (YNode Node, int Size, long Chars) ReadNode(int depth)
        {
            if (depth > MaxDepth)
            {
                throw new TreeLimitException(Loc(parser.Current!.Start), $"nesting deeper than {MaxDepth} levels");
            }
            if (parser.TryConsume<AnchorAlias>(out var alias))
            {
                if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                {
                    throw new TreeLimitException(Loc(alias.Start), $"unknown alias '*{alias.Value.Value}'");
                }
                Count(target.Size, target.Chars, alias.Start);
                return target;
            }
            if (parser.TryConsume<Scalar>(out var scalar))
            {
                _last = scalar.Start;
                Count(1, scalar.Value.Length, scalar.Start);
                var node = new YScalar(scalar.Value, scalar.Style is not ScalarStyle.Plain, Loc(scalar.Start));
                Remember(scalar.Anchor, node, 1, scalar.Value.Length);
                return (node, 1, scalar.Value.Length);
            }
            if (parser.TryConsume<SequenceStart>(out var seqStart))
            {
                Count(1, 0, seqStart.Start);
                _last = seqStart.Start;
                if (seqStart.Style == SequenceStyle.Flow) _openFlow.Push(seqStart.Start);
                var items = new List<YNode>();
                var size = 1;
                long chars = 0;
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    var (item, itemSize, itemChars) = ReadNode(depth + 1);
                    items.Add(item);
                    size += itemSize;
                    chars += itemChars;
                }
                if (seqStart.Style == SequenceStyle.Flow) _openFlow.Pop();
                var node = new YSequence(items, Loc(seqStart.Start));
                Remember(seqStart.Anchor, node, size, chars);
                return (node, size, chars);
            }
            if (parser.TryConsume<MappingStart>(out var mapStart))
            {
                Count(1, 0, mapStart.Start);
                _last = mapStart.Start;
                if (mapStart.Style == MappingStyle.Flow) _openFlow.Push(mapStart.Start);
                var entries = new List<KeyValuePair<YScalar, YNode>>();
                var seen = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
                var size = 1;
                long chars = 0;
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var (keyNode, keySize, keyChars) = ReadNode(depth + 1);
                    var (valueNode, valueSize, valueChars) = ReadNode(depth + 1);
                    size += keySize + valueSize;
                    chars += keyChars + valueChars;
                    if (keyNode is not YScalar key)
                    {
                        throw new TreeLimitException(keyNode.Location, "mapping keys must be plain scalars");
                    }
                    if (key.Value == "<<" && !key.Quoted)
                    {
                        diagnostics.Error(key.Location, "merge keys ('<<') are not supported in profiles");
                        continue;
                    }
                    if (seen.TryGetValue(key.Value, out var first))
                    {
                        diagnostics.Error(key.Location, $"duplicate key '{key.Value}' (first at line {first.Line})");
                        continue;
                    }
                    seen[key.Value] = key.Location;
                    entries.Add(new(key, valueNode));
                }
                if (mapStart.Style == MappingStyle.Flow) _openFlow.Pop();
                var node = new YMapping(entries, Loc(mapStart.Start));
                Remember(mapStart.Anchor, node, size, chars);
                return (node, size, chars);
            }
            var unexpected = parser.Current!;
            throw new TreeLimitException(Loc(unexpected.Start), $"unexpected YAML event {unexpected.GetType().Name}");
        }

        private void Remember(AnchorName anchor, YNode node, int size, long chars)
        {
            if (!anchor.IsEmpty) _anchors[anchor.Value] = (node, size, chars);
        }
    }
}
