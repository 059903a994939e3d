// What every command-line program does at the least: start, write a line to stdout, exit 0.
Console.WriteLine("hello");
