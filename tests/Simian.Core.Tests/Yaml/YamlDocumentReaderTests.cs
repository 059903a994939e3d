using System.Diagnostics;
using System.Text;
using Simian.Core.Diagnostics;
using Simian.Core.Tests.Fakes;
using Simian.Core.Yaml;

namespace Simian.Core.Tests.Yaml;

public sealed class YamlDocumentReaderTests
{
    private static (YNode? Root, IReadOnlyList<Diagnostic> Diagnostics) Read(string text)
    {
        var d = new DiagnosticBag();
        var root = YamlDocumentReader.ReadText(text, "p.yaml", d);
        return (root, d.Items);
    }

    private static (YNode? Root, IReadOnlyList<Diagnostic> Diagnostics) ReadBytes(byte[] bytes)
    {
        var d = new DiagnosticBag();
        var root = YamlDocumentReader.ReadBytes(bytes, "p.yaml", d);
        return (root, d.Items);
    }

    private static void AssertAt(Diagnostic d, (int Line, int Column) at)
    {
        Assert.Equal("p.yaml", d.Location.File);
        Assert.Equal(at, (d.Location.Line, d.Location.Column));
    }

    [Fact]
    public void Nodes_carry_the_line_and_column_they_were_written_at()
    {
        const string text = "apiVersion: simian/v1\nmetadata:\n  name: x\n  labels: {tier: web}\nlist:\n  - one\n  - \"two\"\n";
        var (root, diagnostics) = Read(text);

        Assert.Empty(diagnostics);
        var map = Assert.IsType<YMapping>(root);
        var metadata = Assert.IsType<YMapping>(map.Get("metadata"));
        Assert.Equal(Source.At(text, "x"), (metadata.Get("name")!.Location.Line, metadata.Get("name")!.Location.Column));
        var labels = Assert.IsType<YMapping>(metadata.Get("labels"));
        Assert.Equal(Source.At(text, "{tier"), (labels.Location.Line, labels.Location.Column));
        var list = Assert.IsType<YSequence>(map.Get("list"));
        var two = Assert.IsType<YScalar>(list.Items[1]);
        Assert.Equal("two", two.Value);
        Assert.True(two.Quoted);
        Assert.Equal(Source.At(text, "\"two\""), (two.Location.Line, two.Location.Column));
    }

    [Fact]
    public void Syntax_error_is_reported_at_its_line_and_column()
    {
        const string text = "a: 1\nb: c: d\n";
        var (root, diagnostics) = Read(text);

        Assert.Null(root);
        var d = Assert.Single(diagnostics);
        AssertAt(d, Source.At(text, ": d"));
        Assert.DoesNotContain("(Line", d.Message);
    }

    [Fact]
    public void Bad_indentation_is_reported_on_the_line_where_it_happens()
    {
        const string text = "a:\n  b: 1\n c: 2\n";
        var (_, diagnostics) = Read(text);

        var d = Assert.Single(diagnostics);
        Assert.Equal(3, d.Location.Line);
    }

    [Theory]
    [InlineData("a: 1\nb: [1, 2\nc: 3\n", "[")]
    [InlineData("a: {x: 1\nc: 3\n", "{")]
    public void Unclosed_flow_collection_is_reported_at_its_opening_not_thrown(string text, string opening)
    {
        var (root, diagnostics) = Read(text);

        Assert.Null(root);
        var d = Assert.Single(diagnostics);
        AssertAt(d, Source.At(text, opening));
    }

    [Fact]
    public void Unclosed_flow_sequence_at_the_end_is_reported_where_input_ends()
    {
        var (_, diagnostics) = Read("a: [x\n");

        var d = Assert.Single(diagnostics);
        Assert.Equal(2, d.Location.Line);
        Assert.Contains("']'", d.Message);
    }

    [Theory]
    [InlineData("a:\n\tb: 1\n")]
    [InlineData("a:\n  b: 1\n\tc: 2\n")]
    [InlineData("x: 1\ny: 2\na:\n  b:\n  \tc: 1\n")]
    [InlineData("a:\n  b:\n    c: 1\n\td: 2\n")]
    public void Tab_in_indentation_is_reported_where_the_tab_is(string text)
    {
        var (root, diagnostics) = Read(text);

        Assert.Null(root);
        var d = Assert.Single(diagnostics);
        Assert.Contains("tab", d.Message);
        AssertAt(d, Source.At(text, "\t"));
    }

    [Fact]
    public void Tab_between_key_and_value_is_allowed()
    {
        var (root, diagnostics) = Read("a:\tb\n");

        Assert.Empty(diagnostics);
        Assert.Equal("b", Assert.IsType<YScalar>(Assert.IsType<YMapping>(root).Get("a")).Value);
    }

    [Fact]
    public void Duplicate_key_is_reported_at_the_second_with_the_line_of_the_first()
    {
        const string text = "a: 1\nb:\n  x: 1\n  y: 2\n  x: 3\nc: 4\n";
        var (root, diagnostics) = Read(text);

        var d = Assert.Single(diagnostics);
        AssertAt(d, Source.At(text, "x", 2));
        Assert.Contains("duplicate key 'x'", d.Message);
        Assert.Contains("first at line 3", d.Message);
        var b = Assert.IsType<YMapping>(Assert.IsType<YMapping>(root).Get("b"));
        Assert.Equal("1", Assert.IsType<YScalar>(b.Get("x")).Value);
    }

    [Fact]
    public void Billion_laughs_alias_bomb_is_refused_quickly_with_a_location()
    {
        var text = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var level = 1; level < 9; level++)
        {
            var previous = (char)('a' + level - 1);
            var current = (char)('a' + level);
            text.Append($"{current}: &{current} [").AppendJoin(",", Enumerable.Repeat($"*{previous}", 9)).Append("]\n");
        }
        var watch = Stopwatch.StartNew();

        var (root, diagnostics) = Read(text.ToString());

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
        Assert.Null(root);
        var d = Assert.Single(diagnostics);
        Assert.Contains("alias", d.Message);
        Assert.True(d.Location.Line is > 1 and <= 9, d.ToString());
        Assert.StartsWith("*", text.ToString().Split('\n')[d.Location.Line - 1][(d.Location.Column - 1)..]);
    }

    [Fact]
    public void Aliases_within_the_limit_are_expanded()
    {
        var (root, diagnostics) = Read("base: &b {x: 1}\ncopy: *b\n");

        Assert.Empty(diagnostics);
        var copy = Assert.IsType<YMapping>(Assert.IsType<YMapping>(root).Get("copy"));
        Assert.Equal("1", Assert.IsType<YScalar>(copy.Get("x")).Value);
    }

    [Fact]
    public void Unknown_alias_is_reported_at_the_alias()
    {
        const string text = "a: 1\nb: *nope\n";
        var (_, diagnostics) = Read(text);

        var d = Assert.Single(diagnostics);
        AssertAt(d, Source.At(text, "*nope"));
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused_with_a_location()
    {
        var depth = YamlDocumentReader.MaxDepth + 10;
        var text = "a: " + new string('[', depth) + new string(']', depth) + "\n";

        var (root, diagnostics) = Read(text);

        Assert.Null(root);
        var d = Assert.Single(diagnostics);
        Assert.Contains($"deeper than {YamlDocumentReader.MaxDepth}", d.Message);
        Assert.Equal(1, d.Location.Line);
        Assert.True(d.Location.Column > 4, d.ToString());
    }

    [Fact]
    public void Nesting_just_under_the_limit_is_accepted()
    {
        // The root mapping is level 0 and the key's value level 1.
        var depth = YamlDocumentReader.MaxDepth - 1;
        var (root, diagnostics) = Read("a: " + new string('[', depth) + new string(']', depth) + "\n");

        Assert.Empty(diagnostics);
        Assert.NotNull(root);
    }

    [Fact]
    public void Invalid_utf8_is_reported_at_the_bad_byte()
    {
        var bytes = Encoding.UTF8.GetBytes("a: 1\nb: xy").Concat(new byte[] { 0xFF, (byte)'\n' }).ToArray();

        var (root, diagnostics) = ReadBytes(bytes);

        Assert.Null(root);
        var d = Assert.Single(diagnostics);
        Assert.Contains("UTF-8", d.Message);
        AssertAt(d, (2, 6));
    }

    [Fact]
    public void Invalid_utf8_column_counts_characters_not_bytes()
    {
        // "ä" is two bytes and "€" three: the bad byte is the 7th character of the line.
        var bytes = Encoding.UTF8.GetBytes("a: 1\nb: ä€x").Concat(new byte[] { 0xC3, 0x28, (byte)'\n' }).ToArray();

        var (_, diagnostics) = ReadBytes(bytes);

        AssertAt(Assert.Single(diagnostics), (2, 7));
    }

    [Fact]
    public void Invalid_utf8_far_into_a_large_file_is_located_on_its_line()
    {
        var prefix = string.Concat(Enumerable.Range(0, 5000).Select(i => $"k{i}: v\n"));
        var bytes = Encoding.UTF8.GetBytes(prefix + "z: ").Concat(new byte[] { 0xFF, (byte)'\n' }).ToArray();

        var (_, diagnostics) = ReadBytes(bytes);

        AssertAt(Assert.Single(diagnostics), (5001, 4));
    }

    [Fact]
    public void File_over_one_mebibyte_is_refused_before_parsing()
    {
        using var dir = new TempDir();
        var path = dir.File("big.yaml");
        File.WriteAllBytes(path, Enumerable.Repeat((byte)'#', YamlDocumentReader.MaxBytes + 1).ToArray());
        var d = new DiagnosticBag();

        var root = YamlDocumentReader.ReadFile(path, d);

        Assert.Null(root);
        var error = Assert.Single(d.Items);
        Assert.Equal(new SourceLocation(path, 1, 1), error.Location);
        Assert.Contains($"{YamlDocumentReader.MaxBytes + 1} bytes", error.Message);
        Assert.Contains($"at most {YamlDocumentReader.MaxBytes}", error.Message);
    }

    [Fact]
    public void File_of_exactly_one_mebibyte_is_read()
    {
        using var dir = new TempDir();
        var path = dir.File("edge.yaml");
        var body = Encoding.UTF8.GetBytes("a: 1\n#");
        var bytes = body.Concat(Enumerable.Repeat((byte)'x', YamlDocumentReader.MaxBytes - body.Length)).ToArray();
        File.WriteAllBytes(path, bytes);
        var d = new DiagnosticBag();

        var root = YamlDocumentReader.ReadFile(path, d);

        Assert.Empty(d.Items);
        Assert.IsType<YMapping>(root);
    }

    [Fact]
    public void Missing_file_is_reported()
    {
        using var dir = new TempDir();
        var d = new DiagnosticBag();

        Assert.Null(YamlDocumentReader.ReadFile(dir.File("nope.yaml"), d));
        Assert.Contains("not found", Assert.Single(d.Items).Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# just a comment\n")]
    [InlineData("\n\n")]
    public void Empty_file_has_no_root_and_no_error(string text)
    {
        var (root, diagnostics) = Read(text);

        Assert.Null(root);
        Assert.Empty(diagnostics);
    }

    [Theory]
    [InlineData("a: 1\n---\nb: 2\n", 2)]
    [InlineData("---\na: 1\n...\n---\nb: 2\n", 4)]
    public void Second_document_is_reported_where_it_starts(string text, int line)
    {
        var (_, diagnostics) = Read(text);

        var d = Assert.Single(diagnostics);
        Assert.Equal(line, d.Location.Line);
        Assert.Contains("second", d.Message);
    }

    [Fact]
    public void Byte_order_mark_is_skipped()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("a: 1\n")).ToArray();

        var (root, diagnostics) = ReadBytes(bytes);

        Assert.Empty(diagnostics);
        Assert.Equal("a", Assert.Single(Assert.IsType<YMapping>(root).Entries).Key.Value);
    }

    [Fact]
    public void Merge_keys_are_refused_at_the_key()
    {
        const string text = "a: &x {b: 1}\nc:\n  <<: *x\n";
        var (_, diagnostics) = Read(text);

        AssertAt(Assert.Single(diagnostics), Source.At(text, "<<"));
    }

    [Theory]
    [InlineData("a: ~", true)]
    [InlineData("a: null", true)]
    [InlineData("a:", true)]
    [InlineData("a: \"null\"", false)]
    [InlineData("a: ''", false)]
    public void Only_unquoted_null_forms_are_null(string text, bool isNull)
    {
        var (root, _) = Read(text);

        Assert.Equal(isNull, Assert.IsType<YScalar>(Assert.IsType<YMapping>(root).Get("a")).IsNull);
    }
}
