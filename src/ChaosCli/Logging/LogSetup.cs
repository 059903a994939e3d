using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace Simian.Cli.Logging;

/// <summary>Human-readable logs on stderr; optionally compact JSON to a file for shipping.</summary>
public static class LogSetup
{
    public static Logger Create(TextWriter stderr, bool verbose, string? logFile)
    {
        var config = new LoggerConfiguration()
            .MinimumLevel.Is(verbose ? LogEventLevel.Debug : LogEventLevel.Information)
            .WriteTo.Sink(new TextWriterSink(stderr, new MessageTemplateTextFormatter("{Message:lj}{NewLine}")),
                verbose ? LogEventLevel.Debug : LogEventLevel.Information);
        if (logFile is not null)
        {
            CreateOwnerOnly(logFile);
            config = config.WriteTo.File(new CompactJsonFormatter(), logFile, LogEventLevel.Debug);
        }
        return config.CreateLogger();
    }

    /// <summary>
    /// Logs name infrastructure, like journals and plans, so they are owner-only (0600) too. The file sink
    /// creates files with the umask's permissions and appends to an existing file, so the file is made (or
    /// narrowed) here first.
    /// </summary>
    private static void CreateOwnerOnly(string logFile)
    {
        var full = Path.GetFullPath(logFile);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (new FileStream(full, new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite, UnixCreateMode = ownerOnly }))
        {
        }
        File.SetUnixFileMode(full, ownerOnly);
    }
}
