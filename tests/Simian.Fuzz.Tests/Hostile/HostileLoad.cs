using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using Simian.Core.Diagnostics;
using Simian.Core.Profiles;
using Simian.Core.Yaml;

namespace Simian.Fuzz.Tests.Hostile;

/// <summary>What loading one input produced, and how much it cost.</summary>
public sealed record LoadOutcome(bool Ok, IReadOnlyList<Diagnostic> Diagnostics, long AllocatedBytes, TimeSpan Elapsed);

/// <summary>
/// Loads raw profile bytes the way <c>simian validate</c> does (size and UTF-8 checks, then the loader) and lists
/// every property the result breaks: a location for each diagnostic, inside the file, and output in proportion.
/// </summary>
public static partial class HostileLoad
{
    public static LoadOutcome Load(ProfileLoader loader, byte[] bytes, string path)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        bool ok;
        IReadOnlyList<Diagnostic> diagnostics;
        if (bytes.Length > YamlDocumentReader.MaxBytes || !Utf8.IsValid(bytes))
        {
            // The byte-level refusals live in ReadBytes; the loader proper only ever sees valid text.
            var bag = new DiagnosticBag();
            var root = YamlDocumentReader.ReadBytes(bytes, path, bag);
            ok = false;
            diagnostics = root is null && !bag.HasErrors ? [new Diagnostic(new SourceLocation("", 0, 0), "ReadBytes refused nothing")] : bag.Sorted();
        }
        else
        {
            var text = Encoding.UTF8.GetString(bytes);
            if (text.StartsWith('\uFEFF')) text = text[1..];
            var result = loader.LoadText(text, path);
            ok = result.Ok;
            diagnostics = result.Diagnostics;
            if (result.Ok != (result.Experiment is not null)) diagnostics = [.. diagnostics, new Diagnostic(new SourceLocation(path, 1, 1), "INCONSISTENT: experiment returned with errors")];
        }
        return new LoadOutcome(ok, diagnostics, GC.GetAllocatedBytesForCurrentThread() - allocated, clock.Elapsed);
    }

    /// <summary>Every broken property, in words; empty when the outcome is acceptable.</summary>
    public static IReadOnlyList<string> Problems(LoadOutcome outcome, byte[] bytes, string path)
    {
        var problems = new List<string>();
        if (!outcome.Ok && outcome.Diagnostics.Count == 0) problems.Add("refused without a diagnostic");
        if (outcome.Ok && outcome.Diagnostics.Count > 0) problems.Add("ok but with diagnostics");
        var text = Encoding.UTF8.GetString(bytes);
        // One past the last line: "unexpected end of file" is reported where the next line would start.
        var maxLine = 2 + text.Count(c => c is '\n' or '\r' or '\u0085' or '\u2028' or '\u2029');
        long messageChars = 0;
        foreach (var d in outcome.Diagnostics)
        {
            messageChars += d.Message.Length;
            if (d.Location.File != path) problems.Add($"diagnostic without its file: '{d.Location.File}': {Short(d.Message)}");
            if (d.Location.Line < 1 || d.Location.Column < 1) problems.Add($"diagnostic without a line/column ({d.Location.Line}:{d.Location.Column}): {Short(d.Message)}");
            if (d.Location.Line > maxLine) problems.Add($"diagnostic at line {d.Location.Line} of a {maxLine}-line file: {Short(d.Message)}");
            if (d.Location.Column > text.Length + 2) problems.Add($"diagnostic at column {d.Location.Column} of a {text.Length}-char file: {Short(d.Message)}");
            if (d.Message.Length == 0) problems.Add("empty diagnostic message");
            if (d.Message.Contains("   at ", StringComparison.Ordinal)) problems.Add($"stack trace in a diagnostic: {Short(d.Message)}");
            if (d.Message == "file is not valid UTF-8" && ExpectedInvalidUtf8Line(bytes) is { } line && line != d.Location.Line)
            {
                problems.Add($"invalid UTF-8 reported at line {d.Location.Line}, but the first bad byte is on line {line}");
            }
        }
        // Output in proportion to the input: an alias must not multiply what is printed.
        if (messageChars > 64L * bytes.Length + 1_000_000) problems.Add($"{messageChars} chars of diagnostics for {bytes.Length} bytes of input");
        return problems;
    }

    /// <summary>The histogram bucket: "ok", or the first diagnostic with names and numbers blanked out.</summary>
    public static string Bucket(LoadOutcome outcome)
    {
        if (outcome.Ok) return "ok";
        var m = outcome.Diagnostics.Count == 0 ? "(none)" : outcome.Diagnostics[0].Message;
        m = Quoted().Replace(m, "'…'");
        m = Digits().Replace(m, "N");
        return m.Length > 90 ? m[..90] + "…" : m;
    }

    /// <summary>The line (1-based) of the first byte that is not valid UTF-8, or null when all are valid.</summary>
    public static int? ExpectedInvalidUtf8Line(byte[] bytes)
    {
        var buffer = new char[bytes.Length + 1];
        var status = Utf8.ToUtf16(bytes, buffer, out var read, out _, replaceInvalidSequences: false);
        if (status == OperationStatus.Done) return null;
        return 1 + bytes.AsSpan(0, read).Count((byte)'\n');
    }

    public static string Short(string s) => s.Length > 160 ? s[..160] + $"… ({s.Length} chars)" : s;

    [GeneratedRegex(@"'[^']*'")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"(?<![A-Za-z]-)\d+")]
    private static partial Regex Digits();
}
