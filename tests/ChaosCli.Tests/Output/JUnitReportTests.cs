using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using Simian.Cli.Tests.Support;
using Simian.Core;

namespace Simian.Cli.Tests.Output;

[Collection("fixed ports")]
public sealed class JUnitReportTests
{
    [Fact]
    public async Task A_deviated_run_writes_schema_valid_junit_with_the_deviation_as_a_failure()
    {
        using var cli = new TestCli();
        var junit = Path.Combine(cli.StateDir, "results.xml");
        var result = await cli.RunAsync("run", Repo.Path("samples", "quickstart.yaml"), "--yes", "--junit", junit);
        Assert.True(result.ExitCode == ExitCodes.Deviated, result.ToString());
        var doc = Validate(junit);
        var suite = doc.Root!.Element("testsuite")!;
        Assert.Equal("simian.quickstart", (string?)suite.Attribute("name"));
        var during = suite.Elements("testcase").Single(c => (string?)c.Attribute("name") == "steady state during: api-fast");
        Assert.Contains("failed 2 times in a row", (string?)during.Element("failure")!.Attribute("message"));
        Assert.Null(suite.Elements("testcase").Single(c => (string?)c.Attribute("name") == "steady state before: api-fast").Element("failure"));
        var rollback = suite.Elements("testcase").Single(c => ((string?)c.Attribute("name"))!.StartsWith("rollback: slow-api", StringComparison.Ordinal));
        Assert.Null(rollback.Element("error"));
        Assert.Equal("1", (string?)suite.Attribute("failures"));
        Assert.Equal("0", (string?)suite.Attribute("errors"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(junit));
    }

    [Fact]
    public void A_change_that_was_never_undone_is_an_error_and_one_left_in_place_is_skipped()
    {
        var dir = Directory.CreateTempSubdirectory("simian-junit-").FullName;
        var journal = Path.Combine(dir, "j.jsonl");
        File.WriteAllLines(journal,
        [
            """{"event":"started","at":"2026-11-24T10:00:00+00:00","runId":"r1","experiment":"crashy","fingerprint":"sha256:x","pid":1,"dryRun":false}""",
            """{"event":"intent","at":"2026-11-24T10:00:01+00:00","seq":1,"step":"freeze","fault":"process-pause","targetType":"local:process","target":"w","resource":{"id":"42","attributes":{}},"reversible":true,"settings":{},"undo":{}}""",
            """{"event":"applied","at":"2026-11-24T10:00:01+00:00","seq":1}""",
            """{"event":"intent","at":"2026-11-24T10:00:02+00:00","seq":2,"step":"slow","fault":"latency","targetType":"local:proxy","target":"p","resource":{"id":"db","attributes":{}},"reversible":true,"settings":{},"undo":{}}""",
            """{"event":"applied","at":"2026-11-24T10:00:02+00:00","seq":2}""",
            """{"event":"left","at":"2026-11-24T10:00:03+00:00","seq":2,"reason":"rollback: Never"}""",
        ]);
        var xml = Simian.Cli.Output.JUnitReport.Write(journal);
        File.WriteAllText(journal + ".xml", xml);
        var doc = Validate(journal + ".xml");
        var cases = doc.Descendants("testcase").ToList();
        var error = cases.Single(c => (string?)c.Attribute("name") == "rollback: freeze (process-pause) on 42").Element("error");
        Assert.Contains("NOT RESTORED", (string?)error!.Attribute("message"));
        Assert.NotNull(cases.Single(c => (string?)c.Attribute("name") == "rollback: slow (latency) on db").Element("skipped"));
        Assert.Equal("unfinished", doc.Descendants("property").Single(p => (string?)p.Attribute("name") == "status").Attribute("value")!.Value);
    }

    [Fact]
    public void A_deviation_is_matched_to_its_probe_by_the_name_it_records_not_by_its_message()
    {
        var dir = Directory.CreateTempSubdirectory("simian-junit-").FullName;
        var journal = Path.Combine(dir, "j.jsonl");
        // Two probes, one the other's prefix, and a message naming neither in quotes: only the recorded probe decides.
        File.WriteAllLines(journal,
        [
            """{"event":"started","at":"2026-11-24T10:00:00+00:00","journal":1,"runId":"r1","experiment":"two","fingerprint":"sha256:x","pid":1,"dryRun":false}""",
            """{"event":"probe","at":"2026-11-24T10:00:01+00:00","phase":"during","probe":"api","ok":true,"latencyMs":3,"detail":"ok"}""",
            """{"event":"probe","at":"2026-11-24T10:00:01+00:00","phase":"during","probe":"api-slow","ok":false,"latencyMs":900,"detail":"too slow"}""",
            """{"event":"deviation","at":"2026-11-24T10:00:02+00:00","message":"the slow path failed twice","probe":"api-slow"}""",
        ]);
        var xml = Simian.Cli.Output.JUnitReport.Write(journal);
        File.WriteAllText(journal + ".xml", xml);
        var cases = Validate(journal + ".xml").Descendants("testcase").ToList();

        Assert.Equal("the slow path failed twice", (string?)cases.Single(c => (string?)c.Attribute("name") == "steady state during: api-slow").Element("failure")!.Attribute("message"));
        Assert.Null(cases.Single(c => (string?)c.Attribute("name") == "steady state during: api").Element("failure"));
    }

    private static XDocument Validate(string path)
    {
        var schemas = new XmlSchemaSet();
        schemas.Add(null, Repo.Fixture("junit.xsd"));
        var doc = XDocument.Load(path);
        var errors = new List<string>();
        doc.Validate(schemas, (_, e) => errors.Add(e.Message));
        Assert.True(errors.Count == 0, string.Join("\n", errors) + "\n" + doc);
        return doc;
    }
}
