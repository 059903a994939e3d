using Simian.Core.Diagnostics;
using Simian.Core.Profiles;
using Simian.Local.Processes;
using Simian.Local.Tests.Support;

namespace Simian.Local.Tests.Processes;

public sealed class ProcessTargetTypeTests
{
    private readonly ProcessTargetType _type = new();

    [Fact]
    public async Task Command_contains_selects_the_matching_process_with_its_start_time()
    {
        using var sleeper = new Sleeper("3001.5");
        var found = await _type.ResolveAsync(Yaml.Target("local:process", "{commandContains: 'sleep 3001.5'}"), ProviderSettings.Empty("local"), default);
        var r = Assert.Single(found);
        Assert.Equal(sleeper.Pid.ToString(), r.Id);
        Assert.Equal(ProcFs.Get(sleeper.Pid)!.StartTime.ToString(), r.Attribute("startTime"));
    }

    [Fact]
    public async Task Command_regex_and_pid_file_select_exactly_that_process()
    {
        using var a = new Sleeper("3002.25");
        using var b = new Sleeper("3002.75");
        var byRegex = await _type.ResolveAsync(Yaml.Target("local:process", "{commandRegex: '^sleep 3002\\.2'}"), ProviderSettings.Empty("local"), default);
        Assert.Equal(a.Pid.ToString(), Assert.Single(byRegex).Id);

        var pidFile = Path.Combine(Path.GetTempPath(), $"simian-{Guid.NewGuid():N}.pid");
        File.WriteAllText(pidFile, b.Pid + "\n");
        try
        {
            var byPid = await _type.ResolveAsync(Yaml.Target("local:process", $"{{pidFile: '{pidFile}'}}"), ProviderSettings.Empty("local"), default);
            Assert.Equal(b.Pid.ToString(), Assert.Single(byPid).Id);
        }
        finally
        {
            File.Delete(pidFile);
        }
    }

    [Fact]
    public async Task Simian_never_selects_itself_or_its_parents()
    {
        var self = Environment.ProcessId.ToString();
        var found = await _type.ResolveAsync(Yaml.Target("local:process", "{commandRegex: '.*'}"), ProviderSettings.Empty("local"), default);
        // Listed, so the plan can say why, but protected: the planner never selects them.
        Assert.Equal("simian itself", found.Single(r => r.Id == self).Protected);
        Assert.Equal("an ancestor of simian", found.Single(r => r.Id == "1").Protected);
        Assert.Contains(found, r => r.Protected is null);
    }

    [Fact]
    public void A_selector_needs_one_way_to_find_processes_and_a_valid_regex()
    {
        var d = new DiagnosticBag();
        _type.ValidateSelector(Yaml.Map("{commandRegx: x}"), d);
        Assert.Contains(d.Items, x => x.Message.Contains("did you mean 'commandRegex'"));
        Assert.Contains(d.Items, x => x.Message.Contains("needs commandContains, commandRegex or pidFile"));
        var bad = new DiagnosticBag();
        _type.ValidateSelector(Yaml.Map("{commandRegex: '(unclosed'}"), bad);
        Assert.Contains(bad.Items, x => x.Message.Contains("not a valid regular expression"));
    }

    [Fact]
    public void A_reused_pid_is_not_the_same_process()
    {
        using var sleeper = new Sleeper();
        Assert.NotNull(ProcessTargetType.Live(sleeper.Pid.ToString(), ProcFs.Get(sleeper.Pid)!.StartTime.ToString()));
        Assert.Null(ProcessTargetType.Live(sleeper.Pid.ToString(), "1"));
    }
}
