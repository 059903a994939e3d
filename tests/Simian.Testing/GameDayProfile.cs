using System.Text;

namespace Simian.Testing;

/// <summary>
/// The AWS game-day profile the sandbox tests share: the sandbox's standard fleet (web instances tagged
/// <c>app: web</c>, <c>chaos: opt-in</c>; the <c>site-assets</c> bucket; account 123456789012) behind an endpoint, with
/// the guard rules every such run sets. Tests add targets, steps and probes; the text is what a user would write.
/// </summary>
public sealed class GameDayProfile(string name, string endpoint)
{
    /// <summary>The standard web tier: running instances tagged app=web.</summary>
    public const string WebSelector = "{tags: {app: web}, states: [running]}";

    /// <summary>Web instances in one zone.</summary>
    public const string WebInZoneA = "{tags: {app: web}, zones: [us-east-1a]}";

    private readonly List<string> _targets = [];
    private readonly List<string> _steps = [];
    private string _safety = "";
    private string? _steadyState;
    private string? _rollback;

    /// <summary>An <c>aws:ec2:instance</c> target named <c>web</c>.</summary>
    public GameDayProfile Web(string selector = WebSelector, string pick = "{count: 2}") =>
        Target($"web: {{type: aws:ec2:instance, selector: {selector}, pick: {pick}}}");

    /// <summary>An <c>aws:s3:bucket</c> target named <c>assets</c>.</summary>
    public GameDayProfile Assets(string bucket = "site-assets") => Target($"assets: {{type: aws:s3:bucket, selector: {{names: [{bucket}]}}}}");

    /// <summary>A target line as written under <c>targets:</c>.</summary>
    public GameDayProfile Target(string line)
    {
        _targets.Add(line);
        return this;
    }

    /// <summary>More guard rules after the standard <c>requireTags</c> and <c>allowedAccounts</c>, e.g. <c>maxTargets: 2</c>.</summary>
    public GameDayProfile Safety(string more)
    {
        _safety = ", " + more;
        return this;
    }

    /// <summary>The <c>steadyState:</c> block's body, indented by two spaces per level as in a profile.</summary>
    public GameDayProfile SteadyState(string body)
    {
        _steadyState = body;
        return this;
    }

    /// <summary>A method step as written after <c>- </c>.</summary>
    public GameDayProfile Step(string step)
    {
        _steps.Add(step);
        return this;
    }

    public GameDayProfile Rollback(string mode)
    {
        _rollback = mode;
        return this;
    }

    public string Yaml
    {
        get
        {
            var s = new StringBuilder();
            s.Append($"apiVersion: simian/v1\nkind: Experiment\nmetadata: {{name: {name}}}\n");
            s.Append($"providers:\n  aws: {{region: us-east-1, endpoint: \"{endpoint.TrimEnd('/')}\"}}\n");
            s.Append("targets:\n");
            foreach (var t in _targets) s.Append("  ").Append(t).Append('\n');
            s.Append($"safety: {{requireTags: {{chaos: opt-in}}, allowedAccounts: [\"123456789012\"]{_safety}}}\n");
            if (_steadyState is not null)
            {
                s.Append("steadyState:\n");
                foreach (var line in _steadyState.Split('\n')) s.Append("  ").Append(line).Append('\n');
            }
            s.Append("method:\n");
            foreach (var step in _steps) s.Append("  - ").Append(step).Append('\n');
            if (_rollback is not null) s.Append($"rollback: {_rollback}\n");
            return s.ToString();
        }
    }

    /// <summary>The crash and outage tests' run: stop two web instances in one zone, deny the assets bucket, hold.</summary>
    public static GameDayProfile StopTwoAndDeny(string name, string endpoint) =>
        new GameDayProfile(name, endpoint)
            .Web(WebInZoneA)
            .Assets()
            .Step("{name: stop-two, fault: instance-stop, target: web}")
            .Step("{name: deny, fault: bucket-deny, target: assets}")
            .Step("{pause: 5m}");

    /// <summary>Writes the profile into <paramref name="dir"/> and returns its path.</summary>
    public string WriteTo(string dir, string file)
    {
        var path = Path.Combine(dir, file);
        File.WriteAllText(path, Yaml);
        return path;
    }
}
