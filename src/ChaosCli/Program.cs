using Simian.Cli;

return await CliApp.RunAsync(args, Console.Out, Console.Error, CliServices.CreateDefault()).ConfigureAwait(false);
