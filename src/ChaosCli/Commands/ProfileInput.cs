using Simian.Core;
using Simian.Core.Profiles;

namespace Simian.Cli.Commands;

/// <summary>Loads a profile for a verb, turning every problem into an <see cref="InvalidInputException"/>.</summary>
public static class ProfileInput
{
    /// <summary>Loads with the profile's parameters from <c>--param</c> values and the seed (none: defaults and first picks).</summary>
    public static Experiment Load(CliContext context, string path, ParameterInput? parameters = null)
    {
        var result = new ProfileLoader(context.Services.Registry).Load(path, parameters);
        if (!result.Ok)
        {
            throw new InvalidInputException($"{path}: {result.Diagnostics.Count} error(s); nothing was done", result.Diagnostics);
        }
        return result.Experiment!;
    }

    /// <summary><c>--param name=value</c>, repeatable, for the profile's <c>parameters</c>.</summary>
    public static System.CommandLine.Option<string[]> ParamOption() => new("--param")
    {
        Description = "A value for one of the profile's parameters, as name=value (repeatable); e.g. --param zone=us-east-1b",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The <c>--param</c> values by name; a malformed or repeated one is bad input (exit 2).</summary>
    public static ParameterInput Parameters(string[]? given, long? seed)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in given ?? [])
        {
            var equals = item.IndexOf('=');
            if (equals <= 0) throw new InvalidInputException($"--param {item}: expected name=value, e.g. --param zone=us-east-1b");
            var name = item[..equals];
            if (!values.TryAdd(name, item[(equals + 1)..])) throw new InvalidInputException($"--param {name} is given twice");
        }
        return new ParameterInput(values, seed);
    }
}
