using Simian.Cli;
using Simian.Cli.Output;

// stderr carries progress, logs and the status line: it must never block a rollback, so it is written by a
// background thread through a bounded queue. stdout carries results and is written as usual.
var stderr = new NonBlockingWriter(Console.OpenStandardError());
var code = await CliApp.RunAsync(args, Console.Out, stderr, CliServices.CreateDefault()).ConfigureAwait(false);
await Console.Out.FlushAsync().ConfigureAwait(false);
stderr.Drain(TimeSpan.FromSeconds(2));
return code;
