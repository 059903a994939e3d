namespace Simian.Sandbox.S3;

/// <summary>Table-driven reflected CRC-32 for S3's CRC32 (IEEE) and CRC32C (Castagnoli) checksums.</summary>
internal sealed class Crc32
{
    private readonly uint[] _table = new uint[256];

    private Crc32(uint polynomial)
    {
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? polynomial ^ (c >> 1) : c >> 1;
            }

            _table[i] = c;
        }
    }

    public static Crc32 Ieee { get; } = new(0xEDB88320u);

    public static Crc32 Castagnoli { get; } = new(0x82F63B78u);

    public uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = _table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    /// <summary>The checksum as S3 transmits it: base64 of the big-endian bytes.</summary>
    public string ComputeBase64(ReadOnlySpan<byte> data)
    {
        var value = Compute(data);
        return Convert.ToBase64String([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
    }
}
