using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Simian.Bench.Support;

/// <summary>One measured figure held against its target; Pass is null for figures that have no target.</summary>
public sealed record Check(string Target, string Goal, string Measured, bool? Pass);

/// <summary>What one subcommand measured: checks for the summary table, data and notes for the details.</summary>
public sealed class BenchResult
{
    private readonly string _loadAtStart = LoadAverage.Read();

    public BenchResult(string benchmark, BenchArgs args)
    {
        Benchmark = benchmark;
        Label = args.String("label");
        Reproduce = args.Reproduce;
    }

    /// <summary>From --label: tells apart two runs of one benchmark in the summary table (say, the AOT and the JIT proxy).</summary>
    public string? Label { get; }

    public string Benchmark { get; }

    public string Reproduce { get; }

    public List<Check> Checks { get; } = [];

    public List<string> Notes { get; } = [];

    public JsonObject Data { get; } = [];

    public void Check(string target, string goal, string measured, bool? pass) =>
        Checks.Add(new Check(Label is null ? target : $"{target} [{Label}]", goal, measured, pass));

    /// <summary>One JSON line on stdout: run.sh collects them into the results file.</summary>
    public void Write(TextWriter stdout)
    {
        var json = new JsonObject
        {
            ["benchmark"] = Label is null ? Benchmark : $"{Benchmark} [{Label}]",
            ["reproduce"] = Reproduce,
            ["loadAverageStart"] = _loadAtStart,
            ["loadAverageEnd"] = LoadAverage.Read(),
            ["finishedUtc"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["checks"] = new JsonArray([.. Checks.Select(c => (JsonNode)new JsonObject
            {
                ["target"] = c.Target,
                ["goal"] = c.Goal,
                ["measured"] = c.Measured,
                ["pass"] = c.Pass,
            })]),
            ["notes"] = new JsonArray([.. Notes.Select(n => (JsonNode)JsonValue.Create(n))]),
            ["data"] = Data.DeepClone(),
        };
        stdout.WriteLine(json.ToJsonString(new JsonSerializerOptions { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        stdout.Flush();
    }

    public static string F(double value, int decimals = 2) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    public static JsonObject Json(Dictionary<string, double> values)
    {
        var o = new JsonObject();
        foreach (var (k, v) in values)
        {
            o[k] = v;
        }

        return o;
    }
}

/// <summary>The 1, 5 and 15 minute load averages, as /proc/loadavg gives them.</summary>
public static class LoadAverage
{
    public static string Read()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Join(' ', parts.Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
