using System.Text;
using System.Text.RegularExpressions;
using Simian.Fuzz.Tests.Support;

namespace Simian.Fuzz.Tests.Hostile;

/// <summary>One generated input: the bytes of a hostile profile and the mutations that made it.</summary>
public sealed record FuzzCase(int Index, byte[] Bytes, IReadOnlyList<string> Steps)
{
    public override string ToString() => $"case {Index}: {string.Join(" + ", Steps)} ({Bytes.Length} bytes)";
}

/// <summary>
/// Turns valid profiles into hostile ones: wrong types, huge numbers, deep nesting, alias bombs, invalid UTF-8,
/// duplicate keys, tabs, control characters, confusables, odd line endings, byte damage. Seeded per case, so
/// case i of a seed is the same on every machine.
/// </summary>
public sealed partial class ProfileMutator(IReadOnlyList<(string Name, string Text)> corpus)
{
    private delegate string TextMutation(string text, Random r);

    private delegate byte[] ByteMutation(byte[] bytes, Random r);

    public static ProfileMutator FromRepo() =>
        new(RepoFiles.SeedProfiles().Select(p => (Path.GetRelativePath(RepoFiles.Root, p), File.ReadAllText(p))).ToList());

    public IReadOnlyList<(string Name, string Text)> Corpus => corpus;

    public FuzzCase Make(int seed, int index)
    {
        var r = FuzzSettings.CaseRandom(seed, index);
        var (name, text) = corpus[r.Next(corpus.Count)];
        var steps = new List<string> { name };
        var count = r.Next(3) == 0 ? 1 + r.Next(4) : 1;
        for (var i = 0; i < count; i++)
        {
            var (label, mutate) = TextMutations[r.Next(TextMutations.Length)];
            text = label == "splice" ? Splice(text, corpus[r.Next(corpus.Count)].Text, r) : mutate(text, r);
            steps.Add(label);
        }
        var bytes = Encoding.UTF8.GetBytes(text);
        if (r.Next(4) == 0)
        {
            var (label, mutate) = ByteMutations[r.Next(ByteMutations.Length)];
            bytes = mutate(bytes, r);
            steps.Add(label);
        }
        return new FuzzCase(index, bytes, steps);
    }

    /// <summary>
    /// Every hostile, numeric and wrong-typed value put in every value slot of every seed profile, one at a time;
    /// <paramref name="stride"/> takes every n-th of them.
    /// </summary>
    public IEnumerable<(string Describe, byte[] Bytes)> Substitutions(int stride)
    {
        var values = HostileValues.Concat(Numbers).Concat(TypeSwaps).Concat(InlineAliases).ToList();
        var n = 0;
        foreach (var (name, text) in corpus)
        {
            foreach (Match m in KeyValuePattern().Matches(text))
            {
                var g = m.Groups["value"];
                foreach (var value in values)
                {
                    if (n++ % stride != 0) continue;
                    var mutated = string.Concat(text.AsSpan(0, g.Index), value, text.AsSpan(g.Index + g.Length));
                    yield return ($"{name} {m.Groups["key"].Value}: {(value.Length > 60 ? value[..60] + "…" : value)}", Encoding.UTF8.GetBytes(mutated));
                }
            }
        }
    }

    private static readonly string[] TypeSwaps =
    [
        "[a, b]", "[]", "{}", "{x: 1}", "[{a: 1}, [2]]", "{a: [1, {b: 2}]}", "~", "null", "\"\"", "''", "true", "false",
        "42", "-1", "0", "'quoted'", "\"double\"", "[[[]]]", "{? a}", "[a: b]", "{a, b}", "!!str 7", "!!seq [a]", "!!map {a: b}",
        "|\n  literal", ">-\n  folded", "[~, null, \"\"]", "{~: ~}", "{\"\": x}", "yes", "no", "on", "off", "0x10", "0o7",
    ];

    private static readonly string[] Numbers =
    [
        "1e400", "-1e400", "1e-400", "99999999999999999999", "-99999999999999999999", "-0", "+0", "0.0", "-0.0",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "2147483647", "2147483648", "-2147483649",
        "1000001", "4294967296", ".inf", "-.inf", ".nan", "NaN", "Infinity", "1_000", "0x7fffffff", "0b101", "1.7976931348623157e308",
        "4.9e-324", "1e308", "100.0000000001", "0.00001", "1,5", "1.5.5", "  7  ", "+7", "07", "٣", "１２", "1e2", "1E+2",
        new string('9', 400), "0." + new string('0', 400) + "1", "-" + new string('9', 40),
    ];

    private static readonly string[] HostileValues =
    [
        "\"\\uD800\"", "\"\\uDFFF\\uD800\"", "\"a\\uD83Db\"", "\"\\U0010FFFF\"", "\"\\U00110000\"", "\"\\x00\"", "\"\\0\"", "\"\\e\\a\\b\"",
        "\"\\N\\_\\L\\P\"", "\"\\", "'unclosed", "\"unclosed", "'''", "\"\\\"", "%", "@x", "`x`", "!x", "!!int x", "!!float x",
        "!!binary aGVsbG8=", "!!timestamp 2001-12-14", "&", "*", "*nope", "? x", "|", ">", "- - -", "---", "...", "#", ",", "]", "}", ":",
        "\"http://[::1\"", "\"http://user:pa ss@host/?token=x\"", "\"mailto:a@b?token=1\"", "\"file:///etc/passwd?password=x\"",
        "\"http://u:p@127.0.0.1:8/?token=t&sig=s&x=1\"", "\"http://%41:%42@127.0.0.1/?token=%00\"", "\"http://127.0.0.1:99999/\"",
        "\"http://127.0.0.1:-1/\"", "\"https://xn--80ak6aa92e.com/\"", "\"http://[fe80::1%25eth0]/\"", "\"http://[::1]:80\"", "\"ftp://x/\"",
        "\"urn:isbn:0451450523\"", "\"news:comp.lang\"", "\"ldap://[2001:db8::7]/c=GB?one?two\"", "\"http:///\"", "\"http://\"",
        "\"http://a b/\"", "\"http://127.0.0.1/\\u0000\"", "\"//127.0.0.1/x\"", "\"\\\\\\\\server\\\\share\"", "\"C:\\\\x\"",
        "\"tcp://127.0.0.1:0\"", "\"127.0.0.1:\"", "\":80\"", "\"[::1]:80\"", "\"0.0.0.0:65536\"", "\"localhost:http\"", "\"[::1]\"",
        "\"999.1.1.1:80\"", "\"127.0.0.1:80:80\"", "embedded", "\"embedded \"",
        "\"../../../../etc/passwd\"", "\"Etc/../../../etc/passwd\"", "America", "\"UTC\\0\"", "\"/etc/localtime\"", "\"\"",
        "Europe/Berlin", "\"Mars/Olympus_Mons\"", "\"" + new string('A', 300) + "\"", "\"Europe\\\\Berlin\"", "posixrules", "\"Etc/GMT+14\"",
        "\"24:00\"", "\"9:60\"", "\"23:59:60\"", "\"-1:00\"", "\"09:00Z\"", "\"٠٩:٠٠\"", "\"9:00 PM\"",
        "-1s", "1.5.5s", "0.0000001ms", "99999999999999999999h", "1h1h", ".s", "1e5s", "1s1m", "7d", "168h", "168h1ms", "10080m",
        "604800s", "604800001ms", "0s", "0ms", "∞", "NaN", "1 h", "1H", "1µs", "999999999999999999999999999999999999ms",
        "\"" + string.Concat(Enumerable.Repeat("1h", 200)) + "\"",
        "[mon, mon, mon]", "[MON]", "[sunday]", "[7]", "[\"\"]", "[[mon]]",
        "all", "ALL", "none", "\"tag:\"", "\"tag:" + new string('x', 500) + "\"", "zone", "region",
        "KILL", "\"SIGKILL\"", "-9", "0", "64", "\"\\n\\r\\t\"",
    ];

    private static readonly string[] InlineAliases =
    [
        "&a [*a]", "*a", "&a x", "[&a x, *a, *a, *a]", "{&k key: v, *k : w}", "{*undefined : x}", "[&a {b: c}, *a, *a]",
        "&a &b x", "!!str &a x", "&" + new string('a', 1000) + " v",
    ];

    private static readonly char[] Controls =
    [
        '\u0001', '\u0002', '\u0007', '\u0008', '\u000B', '\u000C', '\u000E', '\u001B', '\u001F', '\u007F', '\u0080', '\u0085',
        '\u009F', '\u00A0', '\u2028', '\u2029', '\u200B', '\u200E', '\u202E', '\u2066', '\uFFFE', '\uFFFF', '\uFFFD', '\uE000',
    ];

    private static readonly byte[][] InvalidUtf8 =
    [
        [0xFF], [0xFE], [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],
        [0xF0, 0x80, 0x80, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82], [0xC3], [0xF0, 0x9F, 0x98],
        [0xC3, 0x28], [0xE2, 0x28, 0xA1], [0xF0, 0x28, 0x8C, 0xBC],
    ];

    private static readonly (char From, string To)[] Confusables =
    [
        ('a', "а"), ('e', "е"), ('o', "о"), ('p', "р"), ('c', "с"), ('x', "х"), ('i', "і"), ('o', "ο"), ('a', "ａ"), ('i', "ı"),
        ('k', "\u212A"), ('s', "ſ"), ('e', "e\u0301"), ('n', "n\u200B"), ('t', "t\u200D"), ('m', "\u202Em"), ('r', "ʳ"), ('l', "ⅼ"),
    ];

    private static readonly Func<string>[] Bombs =
    [
        () => Laughs(9, 9, "\"lol\""),
        () => Laughs(12, 10, "x"),
        () => Laughs(6, 10, "\"" + new string('L', 100_000) + "\""),
        () => Laughs(4, 10, "\"" + new string('L', 500_000) + "\""),
        () => "m1: &m1 {a: 1, b: 2, c: 3}\nm2: &m2 {a: *m1, b: *m1, c: *m1, d: *m1}\nm3: &m3 {a: *m2, b: *m2, c: *m2, d: *m2}\n"
              + "m4: &m4 {a: *m3, b: *m3, c: *m3, d: *m3}\nm5: &m5 [*m4, *m4, *m4, *m4, *m4, *m4, *m4, *m4]\nm6: [*m5, *m5, *m5, *m5, *m5, *m5, *m5, *m5]\n",
        () => "self: &self [a, *self]\n",
        () => "k: &k key\n*k : value\n",
        () => "u: *undefined\n",
        () => "r: &r x\nr2: &r y\nr3: [*r, *r]\n",
    ];

    // Declared after the data they use: static fields initialise in order.
    private static readonly (string, TextMutation)[] TextMutations =
    [
        ("wrong-type", (t, r) => ReplaceValue(t, r, Pick(r, TypeSwaps))),
        ("block-to-scalar", BlockToScalar),
        ("scalar-to-block", ScalarToBlock),
        ("huge-number", (t, r) => ReplaceValue(t, r, Pick(r, Numbers))),
        ("hostile-value", (t, r) => ReplaceValue(t, r, Pick(r, HostileValues))),
        ("deep-nesting", (t, r) => ReplaceValue(t, r, Nested(r))),
        ("deep-block-nesting", DeepBlock),
        ("alias-bomb", (t, r) => AppendTop(t, Pick(r, Bombs)())),
        ("alias-inline", (t, r) => ReplaceValue(t, r, Pick(r, InlineAliases))),
        ("duplicate-key", DuplicateKeyLine),
        ("duplicate-flow-key", DuplicateFlowKey),
        ("tab", Tab),
        ("control-char", (t, r) => InsertAt(t, r, Pick(r, Controls).ToString())),
        ("nul", (t, r) => InsertAt(t, r, "\0")),
        ("bom-in-middle", (t, r) => InsertAt(t, r, "\uFEFF")),
        ("line-endings", LineEndings),
        ("confusable-key", ConfusableKey),
        ("long-key", LongKey),
        ("long-value", (t, r) => ReplaceValue(t, r, LongText(r))),
        ("unknown-key", UnknownKey),
        ("directive-or-tag", DirectiveOrTag),
        ("multi-document", MultiDocument),
        ("complex-key", (t, r) => r.Next(2) == 0 ? AppendTop(t, "? [a, b]\n: c\n") : ReplaceValue(t, r, "{[a]: b, {c: d}: e}")),
        ("merge-key", (t, r) => AppendTop(t, "base: &base {x: 1}\nderived:\n  <<: *base\n  y: 2\n")),
        ("line-swap", LineSwap),
        ("line-delete", LineDelete),
        ("line-duplicate", LineDuplicate),
        ("splice", (t, r) => t),
        ("indent-shift", IndentShift),
        ("char-replace", CharReplace),
        ("char-delete", CharDelete),
        ("empty-or-blank", (t, r) => Pick(r, ["", " ", "\n", "---\n", "...\n", "~\n", "# only a comment\n", "[]", "{}", "- a\n", "\"x\"", "null"])),
    ];

    private static readonly (string, ByteMutation)[] ByteMutations =
    [
        ("invalid-utf8", (b, r) => InsertBytes(b, r, Pick(r, InvalidUtf8))),
        ("byte-flip", ByteFlip),
        ("byte-insert", (b, r) => InsertBytes(b, r, RandomBytes(r, 1 + r.Next(16)))),
        ("byte-delete", ByteDelete),
        ("truncate", (b, r) => b[..r.Next(b.Length + 1)]),
        ("bom-twice", (b, r) => [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, .. b]),
        ("utf16", (b, r) => [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(b))]),
        ("nul-bytes", (b, r) => InsertBytes(b, r, new byte[1 + r.Next(64)])),
    ];

    /// <summary>The classic "billion laughs": each level holds <paramref name="width"/> aliases of the level below.</summary>
    public static string Laughs(int levels, int width, string leaf)
    {
        var s = new StringBuilder();
        s.Append("l0: &l0 ").Append(leaf).Append('\n');
        for (var i = 1; i <= levels; i++)
        {
            s.Append($"l{i}: &l{i} [").AppendJoin(", ", Enumerable.Repeat($"*l{i - 1}", width)).Append("]\n");
        }
        return s.ToString();
    }

    /// <summary>Nested flow collections, opened <paramref name="depth"/> times; closed unless told otherwise.</summary>
    public static string NestedFlow(int depth, bool maps, bool close = true)
    {
        var s = new StringBuilder();
        for (var i = 0; i < depth; i++) s.Append(maps ? "{a: " : "[");
        s.Append('x');
        if (close) for (var i = 0; i < depth; i++) s.Append(maps ? '}' : ']');
        return s.ToString();
    }

    private static string Nested(Random r)
    {
        var depth = Pick(r, [10, 62, 63, 64, 65, 66, 100, 1000, 20_000, 200_000]);
        return r.Next(5) switch
        {
            0 => NestedFlow(depth, maps: false),
            1 => NestedFlow(depth, maps: true),
            2 => NestedFlow(depth, maps: r.Next(2) == 0, close: false),
            3 => string.Concat(Enumerable.Repeat("[{a: ", Math.Min(depth, 50_000) / 2)) + "x" + string.Concat(Enumerable.Repeat("}]", Math.Min(depth, 50_000) / 2)),
            _ => new string('[', depth) + new string('}', depth),
        };
    }

    private static string DeepBlock(string text, Random r)
    {
        var depth = Pick(r, [63, 64, 65, 70, 200, 2000]);
        var s = new StringBuilder("deep:\n");
        for (var i = 1; i <= depth; i++)
        {
            s.Append(' ', i * (r.Next(2) + 1)).Append(r.Next(3) == 0 ? "- " : "k: ").Append('\n');
        }
        return AppendTop(text, s.ToString().Replace(": \n", ":\n"));
    }

    /// <summary>Mostly sizes that parse in milliseconds; sometimes past the 1 MiB limit, which is refused unread.</summary>
    private static int LongLength(Random r) => Pick(r, [300, 4000, 40_000, 40_000, 250_000, 1_100_000]);

    private static string LongText(Random r)
    {
        var length = LongLength(r);
        return r.Next(3) switch
        {
            0 => new string('v', length),
            1 => "\"" + new string('v', length) + "\"",
            _ => string.Concat(Enumerable.Repeat("ab ", length / 3)),
        };
    }

    private static string LongKey(string text, Random r)
    {
        var length = LongLength(r);
        var key = r.Next(2) == 0 ? new string('k', length) : "\"" + new string('k', length) + "\"";
        return r.Next(2) == 0 ? AppendTop(text, key + ": 1\n") : ReplaceKey(text, r, key);
    }

    // Keys start only at a word boundary and are matched atomically: a mutated profile may hold a megabyte-long
    // key, which a pattern free to restart inside it would scan quadratically.
    [GeneratedRegex(@"(?<![\w.-])(?<key>(?>[A-Za-z_][\w.-]*))(?<sep>[ \t]*:[ \t]+)(?<value>[^,\]\}\r\n#]*[^,\]\}\r\n#\s])")]
    private static partial Regex KeyValuePattern();

    [GeneratedRegex(@"(?<![\w-])(?<key>(?>[A-Za-z_][\w-]*))[ \t]*:[ \t\r\n]")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"^(?<indent>[ ]*)(?<dash>- )?(?<key>(?>[A-Za-z_][\w-]*)):[ ]*\r?$")]
    private static partial Regex BlockHeaderPattern();

    [GeneratedRegex(@"[{,][ ]*(?<pair>(?>[A-Za-z_][\w-]*): [^,{}\[\]\r\n]+)[,}]")]
    private static partial Regex FlowPairPattern();

    private static string ReplaceValue(string text, Random r, string value)
    {
        var matches = KeyValuePattern().Matches(text);
        if (matches.Count == 0) return AppendTop(text, "x: " + value + "\n");
        var g = matches[r.Next(matches.Count)].Groups["value"];
        return string.Concat(text.AsSpan(0, g.Index), value, text.AsSpan(g.Index + g.Length));
    }

    private static string ReplaceKey(string text, Random r, string key)
    {
        var matches = KeyPattern().Matches(text);
        if (matches.Count == 0) return key + ": 1\n" + text;
        var g = matches[r.Next(matches.Count)].Groups["key"];
        return string.Concat(text.AsSpan(0, g.Index), key, text.AsSpan(g.Index + g.Length));
    }

    private static string AppendTop(string text, string block) => (text.EndsWith('\n') || text.Length == 0 ? text : text + "\n") + block;

    private static string InsertAt(string text, Random r, string what)
    {
        var at = r.Next(text.Length + 1);
        return text.Insert(at, what);
    }

    /// <summary>Puts a run of lines from another profile somewhere in this one.</summary>
    private static string Splice(string text, string donor, Random r)
    {
        var from = donor.Split('\n');
        var start = r.Next(from.Length);
        var piece = from[start..Math.Min(from.Length, start + 1 + r.Next(8))];
        var lines = text.Split('\n').ToList();
        lines.InsertRange(r.Next(lines.Count + 1), piece);
        return string.Join('\n', lines);
    }

    private static string BlockToScalar(string text, Random r)
    {
        var lines = text.Split('\n').ToList();
        var headers = Enumerable.Range(0, lines.Count).Where(i => BlockHeaderPattern().IsMatch(lines[i])).ToList();
        if (headers.Count == 0) return ReplaceValue(text, r, "[]");
        var at = headers[r.Next(headers.Count)];
        var indent = Indent(lines[at]);
        var end = at + 1;
        while (end < lines.Count && (lines[end].Trim().Length == 0 || Indent(lines[end]) > indent || lines[end].TrimStart().StartsWith('#'))) end++;
        lines.RemoveRange(at + 1, end - at - 1);
        lines[at] = lines[at].TrimEnd('\r') + " " + Pick(r, ["42", "text", "[a]", "{}", "~", "\"\"", "[{x: 1}]", "true"]);
        return string.Join('\n', lines);
    }

    private static string ScalarToBlock(string text, Random r)
    {
        var matches = KeyValuePattern().Matches(text);
        if (matches.Count == 0) return text;
        var m = matches[r.Next(matches.Count)];
        var lineStart = text.LastIndexOf('\n', Math.Max(0, m.Index - 1)) + 1;
        var pad = new string(' ', m.Index - lineStart + 2);
        var block = r.Next(2) == 0 ? $"\n{pad}- a\n{pad}- b" : $"\n{pad}x: 1\n{pad}y: [2]";
        var g = m.Groups["value"];
        var sep = m.Groups["sep"];
        return string.Concat(text.AsSpan(0, sep.Index), ":", block, text.AsSpan(g.Index + g.Length));
    }

    private static string DuplicateKeyLine(string text, Random r)
    {
        var lines = text.Split('\n').ToList();
        var keyed = Enumerable.Range(0, lines.Count).Where(i => KeyPattern().IsMatch(lines[i]) && !lines[i].TrimStart().StartsWith('#')).ToList();
        if (keyed.Count == 0) return text;
        var at = keyed[r.Next(keyed.Count)];
        lines.Insert(at + 1, lines[at]);
        return string.Join('\n', lines);
    }

    private static string DuplicateFlowKey(string text, Random r)
    {
        var matches = FlowPairPattern().Matches(text);
        if (matches.Count == 0) return DuplicateKeyLine(text, r);
        var g = matches[r.Next(matches.Count)].Groups["pair"];
        return text.Insert(g.Index + g.Length, ", " + g.Value);
    }

    private static string Tab(string text, Random r)
    {
        var lines = text.Split('\n');
        var indented = Enumerable.Range(0, lines.Length).Where(i => lines[i].StartsWith(' ')).ToList();
        if (indented.Count == 0 || r.Next(3) == 0) return InsertAt(text, r, "\t");
        var at = indented[r.Next(indented.Count)];
        var n = Indent(lines[at]);
        lines[at] = (r.Next(2) == 0 ? "\t" + lines[at][Math.Min(n, 2)..] : lines[at][..(n - 1)] + "\t" + lines[at][n..]);
        return string.Join('\n', lines);
    }

    private static string LineEndings(string text, Random r) => r.Next(6) switch
    {
        0 => text.Replace("\n", "\r\n"),
        1 => text.Replace("\n", "\r"),
        2 => string.Concat(text.Split('\n').Select((l, i) => l + (i % 3 == 0 ? "\r\n" : i % 3 == 1 ? "\r" : "\n"))),
        3 => text.Replace("\n", "\u2028"),
        4 => text.Replace("\n", "\u0085"),
        _ => text.Replace("\n", "\n\r"),
    };

    private static string ConfusableKey(string text, Random r)
    {
        var matches = KeyPattern().Matches(text);
        if (matches.Count == 0) return text;
        var g = matches[r.Next(matches.Count)].Groups["key"];
        var key = g.Value;
        var options = Confusables.Where(c => key.Contains(c.From)).ToList();
        if (options.Count == 0) return text;
        var (from, to) = options[r.Next(options.Count)];
        var at = key.IndexOf(from);
        var changed = key[..at] + to + key[(at + 1)..];
        return string.Concat(text.AsSpan(0, g.Index), changed, text.AsSpan(g.Index + g.Length));
    }

    private static string UnknownKey(string text, Random r)
    {
        var lines = text.Split('\n').ToList();
        var at = r.Next(lines.Count);
        var indent = new string(' ', Indent(lines[at]));
        lines.Insert(at, indent + Pick(r, ["zz_unknown: 1", "apiversion: simian/v1", "Kind: Experiment", "metdata: {}", "safty: {maxTargets: 1}", "__proto__: {}", "constructor: x", "\"\": empty", "? : null"]));
        return string.Join('\n', lines);
    }

    private static string DirectiveOrTag(string text, Random r) => r.Next(8) switch
    {
        0 => "%YAML 1.1\n---\n" + text,
        1 => "%YAML 9.9\n---\n" + text,
        2 => "%TAG ! tag:evil.example,2000:\n---\n" + text,
        3 => "%FOO bar\n---\n" + text,
        4 => "%YAML 1.2\n%YAML 1.2\n---\n" + text,
        5 => ReplaceValue(text, r, "!!python/object/apply:os.system [\"id\"] x"),
        6 => ReplaceValue(text, r, "!<tag:yaml.org,2002:str> x"),
        _ => ReplaceValue(text, r, Pick(r, ["!!set {a, b}", "!!omap [a: 1]", "!!pairs [a: 1]", "!custom x", "!e!x y", "!!null ''"])),
    };

    private static string MultiDocument(string text, Random r) => r.Next(4) switch
    {
        0 => AppendTop(text, "---\nsecond: doc\n"),
        1 => AppendTop(text, "...\n"),
        2 => "---\n" + text + "\n...\n---\n",
        _ => InsertLine(text, r, Pick(r, ["---", "...", "--- !x", "--- |"])),
    };

    private static string InsertLine(string text, Random r, string line)
    {
        var lines = text.Split('\n').ToList();
        lines.Insert(r.Next(lines.Count + 1), line);
        return string.Join('\n', lines);
    }

    private static string LineSwap(string text, Random r)
    {
        var lines = text.Split('\n');
        if (lines.Length < 2) return text;
        int a = r.Next(lines.Length), b = r.Next(lines.Length);
        (lines[a], lines[b]) = (lines[b], lines[a]);
        return string.Join('\n', lines);
    }

    private static string LineDelete(string text, Random r)
    {
        var lines = text.Split('\n').ToList();
        var at = r.Next(lines.Count);
        lines.RemoveRange(at, Math.Min(1 + r.Next(3), lines.Count - at));
        return string.Join('\n', lines);
    }

    private static string LineDuplicate(string text, Random r)
    {
        var lines = text.Split('\n').ToList();
        var at = r.Next(lines.Count);
        var n = Math.Min(1 + r.Next(6), lines.Count - at);
        lines.InsertRange(at + n, lines.GetRange(at, n));
        return string.Join('\n', lines);
    }

    private static string IndentShift(string text, Random r)
    {
        var lines = text.Split('\n');
        var at = r.Next(lines.Length);
        lines[at] = r.Next(2) == 0 ? new string(' ', 1 + r.Next(3)) + lines[at] : lines[at].TrimStart();
        return string.Join('\n', lines);
    }

    private const string YamlChars = ":-[]{},#&*!|>'\"%@`? \n\t\\";

    private static string CharReplace(string text, Random r)
    {
        if (text.Length == 0) return text;
        var chars = text.ToCharArray();
        for (var i = 0; i < 1 + r.Next(4); i++)
        {
            chars[r.Next(chars.Length)] = r.Next(3) == 0 ? (char)r.Next(0x20, 0xD7FF) : YamlChars[r.Next(YamlChars.Length)];
        }
        return new string(chars);
    }

    private static string CharDelete(string text, Random r)
    {
        if (text.Length == 0) return text;
        var at = r.Next(text.Length);
        return text.Remove(at, Math.Min(1 + r.Next(8), text.Length - at));
    }

    private static byte[] InsertBytes(byte[] bytes, Random r, byte[] insert)
    {
        var at = r.Next(bytes.Length + 1);
        return [.. bytes.AsSpan(0, at), .. insert, .. bytes.AsSpan(at)];
    }

    private static byte[] ByteFlip(byte[] bytes, Random r)
    {
        if (bytes.Length == 0) return bytes;
        var copy = (byte[])bytes.Clone();
        for (var i = 0; i < 1 + r.Next(8); i++) copy[r.Next(copy.Length)] ^= (byte)(1 << r.Next(8));
        return copy;
    }

    private static byte[] ByteDelete(byte[] bytes, Random r)
    {
        if (bytes.Length == 0) return bytes;
        var at = r.Next(bytes.Length);
        var n = Math.Min(1 + r.Next(32), bytes.Length - at);
        return [.. bytes.AsSpan(0, at), .. bytes.AsSpan(at + n)];
    }

    private static byte[] RandomBytes(Random r, int n)
    {
        var b = new byte[n];
        r.NextBytes(b);
        return b;
    }

    private static int Indent(string line) => line.Length - line.TrimStart(' ').Length;

    private static T Pick<T>(Random r, IReadOnlyList<T> items) => items[r.Next(items.Count)];
}
