using Simian.Core;
using Simian.Core.Profiles;

namespace Simian.Cli.Commands;

/// <summary>Loads a profile for a verb, turning every problem into an <see cref="InvalidInputException"/>.</summary>
public static class ProfileInput
{
    public static Experiment Load(CliContext context, string path)
    {
        var result = new ProfileLoader(context.Services.Registry).Load(path);
        if (!result.Ok)
        {
            throw new InvalidInputException($"{path}: {result.Diagnostics.Count} error(s); nothing was done", result.Diagnostics);
        }
        return result.Experiment!;
    }
}
