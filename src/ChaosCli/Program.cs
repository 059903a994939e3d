using Simian.Cli;
using Simian.Cli.Output;

// stderr carries progress, logs and the status line: it must never block a rollback, so it is written by a
// background thread through a bounded queue. stdout carries results and is written as usual.
// fd 2 is opened as a plain stream, not through Console: the console's own writes take a lock on Console.Out, so a
// write blocked on a full stderr pipe would hold up stdout (the summary) and the exit with it.
var stderr = new NonBlockingWriter(OpenStderr());
var code = await CliApp.RunAsync(args, Console.Out, stderr, CliServices.CreateDefault()).ConfigureAwait(false);
await Console.Out.FlushAsync().ConfigureAwait(false);
stderr.Drain(TimeSpan.FromSeconds(2));
return code;

// A closed fd 2 (`simian … 2>&-`) leaves nowhere to show progress, which must not stop the run.
static Stream OpenStderr()
{
    try
    {
        return new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(2, ownsHandle: false), FileAccess.Write, bufferSize: 0);
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
    {
        return Stream.Null;
    }
}
