using Simian.Core.Providers;

namespace Simian.Core.Tests.Fakes;

/// <summary>Providers named like the real ones (<c>local</c>, <c>aws</c>) with the types and faults the reference profile uses.</summary>
public sealed class ReferenceWorld
{
    public ReferenceWorld()
    {
        Latency = new FakeFault("latency", Log) { RequiresDuration = true, ParamKeys = ["delay", "jitter"] };
        ProcessKill = new FakeFault("process-kill", Log) { Reversible = false, ParamKeys = ["signal"] };
        Proxy = new FakeTargetType("local:proxy", Latency, new FakeFault("disconnect", Log)) { SelectorKeys = ["names"], Traits = TargetTraits.Local };
        Process = new FakeTargetType("local:process", ProcessKill) { SelectorKeys = ["commandContains", "pid"], Traits = TargetTraits.Local };
        Instance = new FakeTargetType("aws:ec2:instance", new FakeFault("stop", Log), new FakeFault("reboot", Log))
        {
            SelectorKeys = ["tags", "states", "ids"],
            PerKeys = ["zone"],
        };
        Local = new FakeProvider("local", ["proxyControl"], Proxy, Process);
        Aws = new FakeProvider("aws", ["region", "profile"], Instance);
        Registry = new ProviderRegistry([Local, Aws]);
    }

    public CallLog Log { get; } = new();
    public FakeFault Latency { get; }
    public FakeFault ProcessKill { get; }
    public FakeTargetType Proxy { get; }
    public FakeTargetType Process { get; }
    public FakeTargetType Instance { get; }
    public FakeProvider Local { get; }
    public FakeProvider Aws { get; }
    public ProviderRegistry Registry { get; }

    public const string Profile = """
        apiVersion: simian/v1
        kind: Experiment
        metadata: {name: api-latency, description: "...", owner: team-web, labels: {tier: web}}
        providers:
          local: {proxyControl: http://127.0.0.1:8474}
        targets:
          api:    {type: local:proxy,   selector: {names: [orders-db]}}
          worker: {type: local:process, selector: {commandContains: "Worker.dll"}, pick: {count: 1}}
          web:    {type: aws:ec2:instance, selector: {tags: {app: web}, states: [running]}, pick: {percent: 25}}
        safety:
          maxTargets: 5
          maxPercent: 34
          requireTags: {chaos: opt-in}
          excludeTags: {chaos: exempt}
          allowedRegions: [us-east-1]
          allowedAccounts: ["123456789012"]
          window: {days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:00", timezone: Europe/Berlin}
          maxDuration: 15m
          requireApproval: true
        steadyState:
          interval: 2s
          tolerance: 2
          abortOnDeviation: true
          probes:
            - {name: api-up, http: {url: "http://127.0.0.1:18080/health", expectStatus: 200, timeout: 2s, maxLatency: 250ms}}
            - {name: queue-ok, command: {run: "./check-queue.sh", expectExit: 0, timeout: 5s}}
        method:
          - {name: slow-db, fault: latency, target: api, params: {delay: 300ms, jitter: 50ms}, duration: 2m}
          - {pause: 10s}
          - {name: kill-worker, fault: process-kill, target: worker, params: {signal: KILL}}
        rollback: always

        """;
}
