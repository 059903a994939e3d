using System.Globalization;
using System.Text.RegularExpressions;
using Simian.Core;
using Simian.Core.Diagnostics;
using Simian.Core.Profiles;
using Simian.Core.Providers;
using Simian.Core.Yaml;
using Simian.Local.Faults;

namespace Simian.Local.Processes;

/// <summary><c>local:process</c>: processes on this machine, by command line or pid file.</summary>
public sealed class ProcessTargetType : ITargetType
{
    private static readonly string[] Keys = ["commandContains", "commandRegex", "pidFile"];

    public IReadOnlyList<string> SelectorKeys => Keys;

    public string Name => "local:process";

    /// <summary>On this machine: no region, account or tags.</summary>
    public TargetTraits Traits => TargetTraits.Local;

    public IReadOnlyList<IFault> Faults { get; } = [new ProcessKillFault(), new ProcessPauseFault()];

    public void ValidateSelector(YMapping selector, DiagnosticBag diagnostics)
    {
        var s = new MapReader(selector, diagnostics, "local:process selector", Keys);
        var contains = s.String("commandContains");
        var regex = s.String("commandRegex");
        var pidFile = s.String("pidFile");
        if (contains is null && regex is null && pidFile is null)
        {
            diagnostics.Error(selector.Location, "local:process selector needs commandContains, commandRegex or pidFile");
        }
        if (contains is { Length: 0 }) diagnostics.Error(s.LocationOf("commandContains"), "commandContains must not be empty");
        if (regex is not null)
        {
            try
            {
                _ = new Regex(regex, RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                diagnostics.Error(selector.Get("commandRegex")!.Location, $"commandRegex is not a valid regular expression: {e.Message}");
            }
        }
    }

    public Task<IReadOnlyList<Resource>> ResolveAsync(TargetSpec target, ProviderSettings settings, CancellationToken cancellationToken)
    {
        var contains = (target.Selector.Get("commandContains") as YScalar)?.Value;
        var regexText = (target.Selector.Get("commandRegex") as YScalar)?.Value;
        var pidFile = (target.Selector.Get("pidFile") as YScalar)?.Value;
        var regex = regexText is null ? null : new Regex(regexText, RegexOptions.None, TimeSpan.FromSeconds(1));
        int? pidFromFile = null;
        if (pidFile is not null)
        {
            var path = Path.IsPathRooted(pidFile) ? pidFile : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(target.Location.File)) ?? ".", pidFile);
            if (!File.Exists(path)) return Task.FromResult<IReadOnlyList<Resource>>([]);
            string text;
            try
            {
                // A pid file is a few digits in a regular file: a FIFO, a device or a huge file is refused, not read.
                Simian.Core.Platform.Posix.RequireRegularFile(path, "pid file");
                text = Simian.Shared.BoundedRead.Text(path, 64, "pid file");
            }
            catch (IOException e)
            {
                throw new ProviderException(e.Message, e);
            }
            if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var p))
            {
                throw new ProviderException($"pid file {path} does not hold a process id");
            }
            pidFromFile = p;
        }
        var protectedPids = ProcFs.Protected();
        var list = new List<Resource>();
        foreach (var p in ProcFs.List())
        {
            if (pidFromFile is { } only && p.Pid != only) continue;
            if (contains is not null && !p.CommandLine.Contains(contains, StringComparison.Ordinal)) continue;
            if (regex is not null && !regex.IsMatch(p.CommandLine)) continue;
            // Shown in the plan as excluded, with the reason, but never selectable.
            list.Add(protectedPids.TryGetValue(p.Pid, out var why) ? ToResource(p) with { Protected = why } : ToResource(p));
        }
        return Task.FromResult<IReadOnlyList<Resource>>(list);
    }

    public static Resource ToResource(ProcessInfo p) => new()
    {
        Id = p.Pid.ToString(CultureInfo.InvariantCulture),
        Label = Redaction.Text(p.CommandLine.Length > 120 ? p.CommandLine[..120] + "…" : p.CommandLine),
        Attributes = new Dictionary<string, string>
        {
            ["startTime"] = p.StartTime.ToString(CultureInfo.InvariantCulture),
            ["name"] = p.Name,
        },
        // A pid is reused; with its start time it names one process for the life of the machine.
        Scope = p.StartTime.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The live process behind a resource id, or null if it exited or its pid was reused.</summary>
    public static ProcessInfo? Live(string id, string? startTime)
    {
        if (!int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) return null;
        var info = ProcFs.Get(pid);
        if (info is null) return null;
        return startTime is null || info.StartTime.ToString(CultureInfo.InvariantCulture) == startTime ? info : null;
    }
}
