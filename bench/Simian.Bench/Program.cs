using Simian.Bench;

return await BenchApp.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
