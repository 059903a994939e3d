using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Simian.Sandbox.Ec2.Network;

/// <summary>An IPv4 CIDR block, as subnets and network ACL entries take it.</summary>
internal readonly record struct Cidr(uint Network, int Prefix)
{
    public static bool TryParse(string? text, out Cidr cidr)
    {
        cidr = default;
        var slash = text?.IndexOf('/') ?? -1;
        if (text is null || slash < 0
            || !IPAddress.TryParse(text.AsSpan(0, slash), out var address) || address.AddressFamily != AddressFamily.InterNetwork
            || text[..slash].Count(c => c == '.') != 3
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix > 32)
        {
            return false;
        }

        var bytes = address.GetAddressBytes();
        var value = ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
        cidr = new Cidr(value & Mask(prefix), prefix);
        return true;
    }

    public bool Contains(uint address) => (address & Mask(Prefix)) == Network;

    public override string ToString() =>
        $"{Network >> 24}.{(Network >> 16) & 255}.{(Network >> 8) & 255}.{Network & 255}/{Prefix.ToString(CultureInfo.InvariantCulture)}";

    private static uint Mask(int prefix) => prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
}
