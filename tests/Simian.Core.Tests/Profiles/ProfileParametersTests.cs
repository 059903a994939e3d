using Simian.Core.Profiles;
using Simian.Core.Tests.Fakes;

namespace Simian.Core.Tests.Profiles;

public sealed class ProfileParametersTests
{
    private const string Text = """
        apiVersion: simian/v1
        kind: Experiment
        metadata: {name: t}
        parameters:
          zone: {pick: [us-east-1a, us-east-1b, us-east-1c]}
          delay: {default: 300ms}
        targets:
          api: {type: local:proxy, selector: {names: ["db-${zone}"]}}
        method:
          - {name: "slow-${zone}", fault: latency, target: api, params: {delay: "${delay}"}, duration: 1m}
        """;

    private readonly ReferenceWorld _world = new();

    private LoadResult Load(string text, ParameterInput? input = null) => new ProfileLoader(_world.Registry).LoadText(text, "p.yaml", input);

    private static ParameterInput Given(long? seed, params (string Name, string Value)[] values) =>
        new(values.ToDictionary(v => v.Name, v => v.Value), seed);

    [Fact]
    public void Values_are_put_into_selectors_params_and_names_before_anything_reads_them()
    {
        var result = Load(Text, Given(7, ("zone", "us-east-1b"), ("delay", "2s")));

        Assert.True(result.Ok, string.Join("\n", result.Diagnostics));
        var e = result.Experiment!;
        Assert.Equal("db-us-east-1b", ((Simian.Core.Yaml.YSequence)e.Targets[0].Selector.Get("names")!).Items.OfType<Simian.Core.Yaml.YScalar>().Single().Value);
        var step = Assert.IsType<FaultStep>(e.Method[0]);
        Assert.Equal("slow-us-east-1b", step.Name);
        Assert.Equal("2s", ((Simian.Core.Yaml.YScalar)step.Params.Get("delay")!).Value);
        Assert.Equal([("zone", "us-east-1b", "given"), ("delay", "2s", "given")], e.Parameters.Select(p => (p.Name, p.Value, p.Source)));
    }

    [Fact]
    public void A_pick_follows_the_seed_and_the_same_seed_picks_the_same_value()
    {
        var picks = Enumerable.Range(0, 40).Select(seed => Load(Text, Given(seed)).Experiment!.Parameters[0]).ToList();

        Assert.All(picks, p => Assert.Equal("picked", p.Source));
        Assert.Equal(3, picks.Select(p => p.Value).Distinct().Count());
        Assert.Equal(picks[5].Value, Load(Text, Given(5)).Experiment!.Parameters[0].Value);
        Assert.Equal(("delay", "300ms", "default"), Load(Text, Given(5)).Experiment!.Parameters.Skip(1).Select(p => (p.Name, p.Value, p.Source)).Single());
        // Without a seed (validate), the first value.
        Assert.Equal("us-east-1a", Load(Text).Experiment!.Parameters[0].Value);
    }

    [Fact]
    public void The_canonical_content_and_so_the_fingerprint_covers_the_values()
    {
        var a = Load(Text, Given(1, ("zone", "us-east-1a"))).Experiment!;
        var b = Load(Text, Given(1, ("zone", "us-east-1b"))).Experiment!;

        Assert.NotEqual(a.CanonicalContent, b.CanonicalContent);
        Assert.Equal(a.CanonicalContent, Load(Text, Given(99, ("zone", "us-east-1a"))).Experiment!.CanonicalContent);
    }

    [Fact]
    public void Unknown_references_values_and_names_are_located_errors()
    {
        var unknownRef = Load(Text.Replace("db-${zone}", "db-${zon}"));
        var d = Assert.Single(unknownRef.Diagnostics);
        Assert.Equal((8, 47), (d.Location.Line, d.Location.Column)); // the string that holds it
        Assert.Contains("unknown parameter 'zon'", d.Message);
        Assert.Contains("did you mean 'zone'", d.Message);

        var notAChoice = Assert.Single(Load(Text, Given(1, ("zone", "eu-west-1a"))).Diagnostics);
        Assert.Equal("--param zone=eu-west-1a is not one of the values parameter 'zone' picks from: us-east-1a, us-east-1b, us-east-1c", notAChoice.Message);
        Assert.Equal(5, notAChoice.Location.Line);

        var undeclared = Assert.Single(Load(Text, Given(1, ("region", "x"))).Diagnostics);
        Assert.Contains("unknown parameter 'region'", undeclared.Message);

        var both = Assert.Single(Load(Text.Replace("{default: 300ms}", "{default: 300ms, pick: [1s]}")).Diagnostics);
        Assert.Equal("parameter 'delay' has both pick and default; give one", both.Message);
    }
}
