using System.Text.Json.Nodes;
using Simian.Core.Providers;
using Simian.Local.Faults;
using Simian.Local.Services;

namespace Simian.Local.Tests.Faults;

/// <summary>
/// The local faults' typed undo records read the journals written before they were typed, byte for byte the same
/// JSON, and refuse a record that lacks what undo needs with a message naming the field — never a cast exception.
/// </summary>
public sealed class UndoRecordTests
{
    private static readonly LocalProvider Provider = new(new HttpClient(), TimeProvider.System, "simian");

    private static UndoContext Undo(string resource, string undoJson) =>
        new("run1", resource, new Dictionary<string, string>(), JsonNode.Parse(undoJson)!.AsObject(), new Dictionary<string, string>(), TimeProvider.System);

    [Fact]
    public void Records_round_trip_in_the_journal_shape_of_the_untyped_version()
    {
        // What the untyped version wrote (from journals of that version).
        Assert.Equal("""{"proxy":"db","toxic":"simian-r-s","ttlMs":15000}""",
            UndoRecords.Write(UndoRecords.Read(JsonNode.Parse("""{"proxy":"db","toxic":"simian-r-s","ttlMs":15000}""")!.AsObject(),
                ToxicUndoJson.Default.ToxicUndo, "t"), ToxicUndoJson.Default.ToxicUndo).ToJsonString());
        Assert.Equal("""{"pid":4711,"startTime":"123","wasStopped":false}""",
            UndoRecords.Write(UndoRecords.Read(JsonNode.Parse("""{"pid":4711,"startTime":"123","wasStopped":false}""")!.AsObject(),
                PauseUndoJson.Default.PauseUndo, "p"), PauseUndoJson.Default.PauseUndo).ToJsonString());
        Assert.Equal("""{"marker":"run1/svc"}""", ServiceFault.UndoRecord("run1", "svc").ToJsonString());
    }

    [Fact]
    public async Task A_toxic_record_without_its_name_is_refused_naming_the_field()
    {
        var fault = Provider.TargetTypes.Single(t => t.Name == "local:proxy").Faults.Single(f => f.Name == "latency");

        var e = await Assert.ThrowsAsync<UndoRecordException>(() => fault.UndoAsync(Undo("db", """{"proxy":"db","ttlMs":15000}"""), default));

        Assert.Contains("the latency toxic on proxy db", e.Message);
        Assert.Contains("toxic", e.Message[(e.Message.IndexOf('(') + 1)..]);
    }

    [Fact]
    public async Task A_pause_record_whose_pid_is_not_a_number_is_refused_and_nothing_is_signalled()
    {
        var fault = new ProcessPauseFault();

        var e = await Assert.ThrowsAsync<UndoRecordException>(() => fault.UndoAsync(Undo("1", """{"pid":"1","wasStopped":false}"""), default));

        Assert.Contains("the pause of process 1", e.Message);
        Assert.Contains("pid", e.Message);
    }
}
