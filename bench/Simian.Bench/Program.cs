Console.WriteLine("bench harness: see bench/README.md");
