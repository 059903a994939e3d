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
            config = config.WriteTo.File(new CompactJsonFormatter(), logFile, LogEventLevel.Debug);
        }
        return config.CreateLogger();
    }
}
