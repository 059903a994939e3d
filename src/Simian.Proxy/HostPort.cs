using System.Net;

namespace Simian.Proxy;

/// <summary>Parses "host:port" and "[v6]:port" text for listen and upstream addresses.</summary>
public static class HostPort
{
    public static bool TryParse(string? text, out string host, out int port, out string error)
    {
        host = "";
        port = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "address is required (host:port)";
            return false;
        }

        string portText;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"'{text}' is not host:port (write IPv6 as [::1]:port)";
                return false;
            }

            host = text[1..close];
            portText = text[(close + 2)..];
        }
        else
        {
            int colon = text.LastIndexOf(':');
            // A bare IPv6 address would split at the wrong colon, so it must be bracketed.
            if (colon <= 0 || text.IndexOf(':') != colon)
            {
                error = $"'{text}' is not host:port (write IPv6 as [::1]:port)";
                return false;
            }

            host = text[..colon];
            portText = text[(colon + 1)..];
        }

        if (!int.TryParse(portText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port)
            || port > IPEndPoint.MaxPort)
        {
            error = $"'{text}' has an invalid port '{portText}' (0-65535)";
            return false;
        }

        if (host.Length == 0)
        {
            error = $"'{text}' has no host";
            return false;
        }

        error = "";
        return true;
    }

    /// <summary>Listen addresses must be IP literals or localhost: binding should never depend on DNS.</summary>
    public static bool TryParseListen(string? text, out IPEndPoint endPoint, out string error)
    {
        endPoint = new IPEndPoint(IPAddress.Loopback, 0);
        if (!TryParse(text, out string host, out int port, out error))
        {
            return false;
        }

        IPAddress? address;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else if (!IPAddress.TryParse(host, out address))
        {
            error = $"listen address '{text}' must be an IP address or localhost";
            return false;
        }

        endPoint = new IPEndPoint(address, port);
        return true;
    }

    public static bool TryParseUpstream(string? text, out string host, out int port, out string error)
    {
        if (!TryParse(text, out host, out port, out error))
        {
            return false;
        }

        if (port == 0)
        {
            error = $"upstream '{text}' needs a port between 1 and 65535";
            return false;
        }

        return true;
    }
}
