using System.Diagnostics;
using System.Text;
using Simian.Core;

namespace Simian.Cli.Tests.Output;

/// <summary>
/// The status line on a real pseudo-terminal 80 columns wide (python3's pty module opens it; the built simian runs
/// on it as on a person's terminal). What the terminal shows afterwards is rebuilt by a small emulator of the
/// codes simian writes (carriage return, erase line, colour, newline, wrap at the last column): no copy of the status
/// line may be left anywhere — not in the scrollback, not above the summary.
/// </summary>
public sealed class StatusLinePtyTests
{
    private const string Pty = """
        import fcntl, os, pty, select, struct, subprocess, sys, termios
        cols = int(sys.argv[1])
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
        p = subprocess.Popen(sys.argv[2:], stdin=slave, stdout=slave, stderr=slave, close_fds=True, start_new_session=True)
        os.close(slave)
        out = bytearray()
        while True:
            r, _, _ = select.select([master], [], [], 0.2)
            if r:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    break
                if not data:
                    break
                out += data
            elif p.poll() is not None:
                break
        p.wait()
        sys.stdout.buffer.write(out)
        sys.exit(p.returncode)
        """;

    /// <summary>Runs simian on a pty of <paramref name="columns"/> columns; its exit code and everything it wrote.</summary>
    private static async Task<(int Exit, string Output)> RunOnPtyAsync(string stateDir, int columns, params string[] args)
    {
        var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Pty);
        info.ArgumentList.Add(columns.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(Repo.SimianDll);
        foreach (var a in args) info.ArgumentList.Add(a);
        // A person's terminal: no CI variable (it turns the status line off), no COLUMNS (the pty's size is the truth).
        info.Environment.Remove("CI");
        info.Environment.Remove("COLUMNS");
        info.Environment.Remove("NO_COLOR");
        info.Environment["TERM"] = "xterm-256color";
        info.Environment["SIMIAN_STATE_DIR"] = stateDir;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(string.IsNullOrEmpty(await stderr), await stderr);
        return (process.ExitCode, await stdout);
    }

    /// <summary>What a terminal <paramref name="columns"/> wide holds after the output: every line, scrollback included.</summary>
    internal static List<string> Screen(string output, int columns)
    {
        var lines = new List<StringBuilder> { new() };
        var col = 0;
        for (var i = 0; i < output.Length; i++)
        {
            var c = output[i];
            var line = lines[^1];
            if (c == '\u001b' && i + 1 < output.Length && output[i + 1] == '[')
            {
                var end = i + 2;
                while (end < output.Length && !char.IsAsciiLetter(output[end])) end++;
                if (end < output.Length && output[end] == 'K') line.Length = Math.Min(line.Length, col);
                i = end;
                continue;
            }
            switch (c)
            {
                case '\r':
                    col = 0;
                    continue;
                case '\n':
                    lines.Add(new StringBuilder());
                    col = 0;
                    continue;
            }
            if (col == columns)
            {
                // The terminal wraps: what follows goes on a new line, and the full one stays behind.
                lines.Add(new StringBuilder());
                line = lines[^1];
                col = 0;
            }
            if (col < line.Length) line[col] = c;
            else line.Append(c);
            col++;
        }
        return lines.Select(l => l.ToString()).ToList();
    }

    [Fact]
    public async Task At_80_columns_the_status_line_is_one_line_redrawn_in_place_and_gone_before_the_summary()
    {
        using var cli = new TestCli();
        var sleeper = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false })!;
        try
        {
            var pidFile = cli.Write("sleeper.pid", sleeper.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var profile = cli.Write("status.yaml", $$$"""
                apiVersion: simian/v1
                kind: Experiment
                metadata: {name: status-line-with-a-name-long-enough-to-need-clipping-at-eighty-columns}
                targets:
                  sleeper: {type: local:process, selector: {pidFile: "{{{pidFile}}}"}}
                method:
                  - {name: freeze-the-sleeper-with-a-step-name-that-is-long-too, fault: process-pause, target: sleeper, duration: 2s}
                """);
            var (exit, output) = await RunOnPtyAsync(cli.StateDir, 80, "run", profile, "--yes");
            Assert.True(exit == ExitCodes.Ok, output);

            // It was drawn, more than once, and every drawing fits in 79 columns.
            var drawings = output.Split("\r\u001b[2K").Skip(1).Select(d => Visible(d.Split('\r', '\n')[0])).Where(d => d.Contains("Ctrl-C rolls back", StringComparison.Ordinal) || d.EndsWith('…')).ToList();
            Assert.True(drawings.Count >= 2, output);
            Assert.All(drawings, d => Assert.True(d.Length <= 79, $"{d.Length} columns: {d}"));

            // Nothing of it is left on the terminal: not in the scrollback, not above the summary.
            var screen = Screen(output, 80);
            Assert.DoesNotContain(screen, l => l.Contains("Ctrl-C rolls back", StringComparison.Ordinal) || l.Contains("| held ", StringComparison.Ordinal));
            var summary = screen.FindIndex(l => l.Contains("COMPLETED", StringComparison.Ordinal));
            Assert.True(summary > 0, string.Join("\n", screen));
            // The elapsed time counts from approval: the first drawing starts at 0:00.
            Assert.StartsWith("[0:00]", drawings[0]);
        }
        finally
        {
            sleeper.Kill();
            sleeper.Dispose();
        }
    }

    private static string Visible(string text)
    {
        var s = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\u001b' && i + 1 < text.Length && text[i + 1] == '[')
            {
                while (i < text.Length && !char.IsAsciiLetter(text[i])) i++;
                continue;
            }
            s.Append(text[i]);
        }
        return s.ToString();
    }

    [Fact]
    public void The_emulator_keeps_what_a_too_long_line_leaves_behind()
    {
        // The emulator itself: a 90-column line wraps at 80, and erasing the line only clears the last row.
        var screen = Screen("\r\u001b[2K" + new string('x', 90) + "\r\u001b[2Kshort\n", 80);
        Assert.Equal(new string('x', 80), screen[0]);
        Assert.Equal("short", screen[1]);
    }
}
