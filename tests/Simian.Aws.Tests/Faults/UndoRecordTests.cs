using System.Text.Json.Nodes;
using Simian.Aws.Faults;
using Simian.Core.Providers;

namespace Simian.Aws.Tests.Faults;

/// <summary>The AWS faults' typed undo records read journals written before they were typed, and write the same JSON.</summary>
public sealed class UndoRecordTests
{
    [Fact]
    public void An_instance_record_with_its_auto_scaling_protection_reads_and_writes_as_before()
    {
        const string journaled = """{"instanceId":"i-0aa","state":"running","lifecycle":"normal","autoScaling":{"group":"web-asg","lifecycleState":"InService","suspendedBefore":["AZRebalance"],"suspends":["HealthCheck","ReplaceUnhealthy"]}}""";

        var record = UndoRecords.Read(JsonNode.Parse(journaled)!.AsObject(), InstanceUndoJson.Default.InstanceUndo, "instance i-0aa");

        Assert.Equal(("i-0aa", "running", "web-asg"), (record.InstanceId, record.State, record.AutoScaling!.Group));
        Assert.Equal(["HealthCheck", "ReplaceUnhealthy"], record.AutoScaling.Suspends);
        Assert.Equal(journaled, UndoRecords.Write(record, InstanceUndoJson.Default.InstanceUndo).ToJsonString());
        // Not in a group: no autoScaling key at all, as before.
        Assert.Equal("""{"instanceId":"i-0bb","state":"stopped","lifecycle":"spot"}""",
            UndoRecords.Write(new InstanceUndo { InstanceId = "i-0bb", State = "stopped", Lifecycle = "spot" }, InstanceUndoJson.Default.InstanceUndo).ToJsonString());
    }

    [Fact]
    public void A_bucket_record_from_before_the_owner_was_recorded_reads_and_one_without_the_applied_policy_is_refused()
    {
        const string old = """{"bucket":"site-assets","region":"us-east-1","sid":"SimianDenyr1deny","hadPolicy":false,"original":null,"applied":"{\"Version\":\"2012-10-17\"}"}""";

        var record = BucketDenyFault.Record.From(JsonNode.Parse(old)!.AsObject(), "site-assets");

        Assert.Equal(("site-assets", null, null, "SimianDenyr1deny"), (record.Bucket, record.Owner, record.Original, record.Sid));
        var missing = JsonNode.Parse(old)!.AsObject();
        missing.Remove("applied");
        var e = Assert.Throws<UndoRecordException>(() => BucketDenyFault.Record.From(missing, "site-assets"));
        Assert.Contains("bucket 'site-assets'", e.Message);
        Assert.Contains("applied", e.Message);
    }
}
