using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace Simian.Cli.Logging;

/// <summary>Writes log events to an injected writer (stderr, or a StringWriter in tests).</summary>
public sealed class TextWriterSink(TextWriter writer, ITextFormatter formatter) : ILogEventSink
{
    public void Emit(LogEvent logEvent)
    {
        lock (writer) formatter.Format(logEvent, writer);
    }
}
