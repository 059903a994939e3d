namespace Simian.Proxy;

/// <summary>The one rule for proxy and toxic names, shared by the server, the control API and the config loader.</summary>
internal static class ProxyNames
{
    // Names travel as URL path segments, so they are kept to characters that never need escaping.
    private const int MaxLength = 64;

    public static bool TryValidate(string? name, string what, out string error)
    {
        if (string.IsNullOrEmpty(name))
        {
            error = $"{what} name is required";
            return false;
        }

        if (name.Length > MaxLength)
        {
            error = $"{what} name '{name}' is longer than {MaxLength} characters";
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                error = $"{what} name '{name}' may only contain letters, digits, '-', '_' and '.'";
                return false;
            }
        }

        error = "";
        return true;
    }

    public static void Validate(string? name, string what)
    {
        if (!TryValidate(name, what, out string error))
        {
            throw new ProxyException(ProxyErrorKind.Invalid, error);
        }
    }
}
