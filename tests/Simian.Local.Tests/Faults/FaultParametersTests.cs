using Simian.Core.Diagnostics;
using Simian.Core.Profiles;
using Simian.Core.Providers;
using Simian.Local.Faults;

namespace Simian.Local.Tests.Faults;

/// <summary>A fault's params are read into its typed record once, when the profile is loaded, with located errors.</summary>
public sealed class FaultParametersTests
{
    private static readonly LocalProvider Provider = new(new HttpClient(), TimeProvider.System, "simian");

    private static Experiment Load(string step)
    {
        var text = "apiVersion: simian/v1\nkind: Experiment\nmetadata: {name: p}\ntargets:\n  db: {type: local:proxy, selector: {names: [db]}}\n" +
            $"method:\n  - {step}\n";
        var result = new ProfileLoader(new ProviderRegistry([Provider])).LoadText(text, "p.yaml");
        Assert.True(result.Experiment is not null, string.Join("\n", result.Diagnostics));
        return result.Experiment!;
    }

    [Fact]
    public void The_loader_reads_the_params_once_and_describe_and_apply_get_that_record()
    {
        var step = (FaultStep)Load("{name: slow, fault: latency, target: db, params: {delay: 300ms, jitter: 50ms, direction: upstream}, duration: 1m}").Method[0];

        var record = FaultParameters.Get<ToxicParams<LatencyFault.Parameters>>(step.Params, "latency params", [],
            _ => throw new Xunit.Sdk.XunitException("the params were read again"));

        Assert.Equal(new ToxicParams<LatencyFault.Parameters>("upstream", new LatencyFault.Parameters(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(50))), record);
        var fault = Provider.TargetTypes.Single(t => t.Name == "local:proxy").Faults.Single(f => f.Name == "latency");
        Assert.Equal("add 300ms ±50ms latency upstream for 1m", fault.Describe(step.Params, step.Duration));
    }

    [Fact]
    public void Invalid_params_are_reported_at_their_location_and_no_record_is_kept()
    {
        var parameters = Yaml.Map("{signal: SIGNOPE}");
        var diagnostics = new DiagnosticBag();
        var fault = new ProcessKillFault();

        fault.ValidateParams(parameters, diagnostics);

        var error = Assert.Single(diagnostics.Items);
        Assert.Equal((1, 10), (error.Location.Line, error.Location.Column));
        Assert.Contains("unknown signal 'SIGNOPE'", error.Message);
        var read = 0;
        FaultParameters.Get(parameters, "process-kill params", ["signal"], _ => { read++; return new ProcessKillFault.Parameters("NOPE", null); });
        Assert.Equal(1, read);
    }
}
