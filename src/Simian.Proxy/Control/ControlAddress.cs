using System.Net;

namespace Simian.Proxy;

/// <summary>Parses the control API's bind address and refuses anything but loopback.</summary>
internal static class ControlAddress
{
    /// <summary>Accepts "127.0.0.1:8474", "[::1]:8474", "localhost:8474", optionally as an http:// URL.</summary>
    public static IPEndPoint Parse(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        string text = address.Trim();
        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            text = text["http://".Length..].TrimEnd('/');
        }

        if (!HostPort.TryParse(text, out string host, out int port, out string error))
        {
            throw new ArgumentException($"control API address: {error}", nameof(address));
        }

        IPAddress? ip = string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            ? IPAddress.Loopback
            : IPAddress.TryParse(host, out IPAddress? parsed) ? parsed : null;

        // The API can poison any proxied connection and has no authentication, so only this machine may reach it.
        if (ip is null || !IPAddress.IsLoopback(ip))
        {
            throw new ArgumentException(
                $"control API address '{address}' is not a loopback address; it has no authentication, so it only binds 127.0.0.1, ::1 or localhost",
                nameof(address));
        }

        return new IPEndPoint(ip, port);
    }
}
