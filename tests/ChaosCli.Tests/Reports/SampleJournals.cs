namespace Simian.Cli.Tests.Reports;

/// <summary>The runs the report tests describe, one builder each.</summary>
public static class SampleJournals
{
    /// <summary>Two probes, a fault that ends with its duration, a pause; the hypothesis held.</summary>
    public static JournalBuilder Completed() => new JournalBuilder()
        .At(0).Started("cache-failover", "c0mp1e7ed000")
        .At(0.05).Probe("before", "api-up", true, 12.5)
        .At(0.07).Probe("before", "checkout", true, 41)
        .At(0.1).Step("start", 0, "slow-db")
        .At(0.11).Intent(1, "slow-db", "db-b", target: "dbs", label: "127.0.0.1:25002 -> 127.0.0.1:25102")
        .At(0.2).Applied(1)
        .At(2.1).Probe("during", "api-up", true, 80.25)
        .At(2.2).Probe("during", "checkout", true, 260)
        .At(4.1).Probe("during", "api-up", true, 95)
        .At(4.2).Probe("during", "checkout", false, 410)
        .At(6.1).Probe("during", "api-up", true, 70)
        .At(6.2).Probe("during", "checkout", true, 280)
        .At(10.2).Undone(1, "duration")
        .At(10.21).Step("end", 0, "slow-db")
        .At(10.22).Step("start", 1, "settle")
        .At(15.22).Step("end", 1, "settle")
        .At(15.3).Probe("after", "api-up", true, 11)
        .At(15.35).Probe("after", "checkout", true, 39.5)
        .At(15.4).Finished("completed", 0, "hypothesis held");

    /// <summary>Latency on two proxies, the probe fails twice, the deviation is called and both are rolled back.</summary>
    public static JournalBuilder Deviated() => new JournalBuilder()
        .At(0).Started("quickstart", "b271a93f3222")
        .At(0.048).Probe("before", "api-fast", true, 31.144)
        .At(0.068).Step("start", 0, "slow-api")
        .At(0.07).Intent(1, "slow-api", "demo-api", label: "127.0.0.1:18081 -> 127.0.0.1:18080")
        .At(0.212).Applied(1)
        .At(0.215).Intent(2, "slow-api", "demo-api-2", label: "127.0.0.1:18082 -> 127.0.0.1:18080")
        .At(0.3).Applied(2)
        .At(2.263).Probe("during", "api-fast", false, 605.667)
        .At(2.869).Probe("during", "api-fast", false, 602.294)
        .At(2.87).Deviation("api-fast", "probe 'api-fast' failed 2 times in a row: status 200 but took 602ms, more than 300ms")
        .At(2.877).Note("rollback", "rolling back 2 change(s): hypothesis deviated: probe 'api-fast' failed 2 times in a row")
        .At(2.9).Undone(2, "rollback")
        .At(2.939).Undone(1, "rollback")
        .At(2.984).Probe("after", "api-fast", true, 8.21)
        .At(2.985).Finished("deviated", 5, "hypothesis deviated: probe 'api-fast' failed 2 times in a row: status 200 but took 602ms, more than 300ms");

    /// <summary>Killed mid-hold: one change confirmed, one journaled but never confirmed, no <c>finished</c>.</summary>
    public static JournalBuilder Crashed() => new JournalBuilder()
        .At(0).Started("pause-worker", "cra5hed00000")
        .At(0.04).Probe("before", "queue-drains", true, 5)
        .At(0.1).Step("start", 0, "freeze")
        .At(0.11).Intent(1, "freeze", "pid:4711", fault: "process-pause", target: "workers", targetType: "local:process", label: "worker --queue orders")
        .At(0.12).Applied(1)
        .At(0.13).Intent(2, "freeze", "pid:4712", fault: "process-pause", target: "workers", targetType: "local:process", label: "worker --queue refunds")
        .At(1.13).Probe("during", "queue-drains", true, 9)
        .At(2.13).Probe("during", "queue-drains", false, 2000, "timed out after 2s");

    /// <summary>A bucket policy that could not be put back: rollback-failed, exit 6.</summary>
    public static JournalBuilder RollbackFailed() => new JournalBuilder()
        .At(0).Started("deny-archive", "ro11bac4f411")
        .At(0.2).Probe("before", "orders-read", true, 120)
        .At(0.3).Step("start", 0, "deny")
        .At(0.31).Intent(1, "deny", "orders-archive", fault: "s3-deny", target: "archive", targetType: "aws:s3-bucket")
        .At(0.9).Applied(1)
        .At(0.91).Intent(2, "deny", "orders-archive-eu", fault: "s3-deny", target: "archive", targetType: "aws:s3-bucket")
        .At(1.4).Applied(2)
        .At(5.4).Probe("during", "orders-read", false, 95, "status 403, expected 200")
        .At(10.4).Probe("during", "orders-read", false, 90, "status 403, expected 200")
        .At(10.41).Deviation("orders-read", "probe 'orders-read' failed 2 times in a row: status 403, expected 200")
        .At(10.42).Note("rollback", "rolling back 2 change(s): hypothesis deviated: probe 'orders-read' failed 2 times in a row")
        .At(11.0).Undone(2, "rollback")
        .At(14.0).UndoFailed(1, "AccessDenied: not authorized to perform s3:PutBucketPolicy (request 7F3A)")
        .At(14.05).Finished("rollback-failed", 6, "rollback incomplete: 1 change(s) not undone; run `simian recover --journal journals/deny-archive.jsonl`");
}
