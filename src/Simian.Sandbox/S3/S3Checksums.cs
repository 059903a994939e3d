using System.Security.Cryptography;
using Simian.Sandbox.Http;

namespace Simian.Sandbox.S3;

/// <summary>Checks the integrity headers a client sends with a body (Content-MD5, x-amz-checksum-*).</summary>
internal static class S3Checksums
{
    private static readonly string[] Algorithms = ["crc32", "crc32c", "sha1", "sha256", "crc64nvme"];

    /// <summary>Verifies what can be verified and returns every x-amz-checksum-* value to store with the object.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Verify(SandboxRequest request)
    {
        if (request.Header("Content-MD5") is { } md5
            && md5 != Convert.ToBase64String(MD5.HashData(request.Body)))
        {
            throw new AwsErrorException(400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
        }

        var checksums = new List<KeyValuePair<string, string>>();
        foreach (var algorithm in Algorithms)
        {
            var header = "x-amz-checksum-" + algorithm;
            if (request.HeaderOrTrailer(header) is not { } sent)
            {
                continue;
            }

            var actual = algorithm switch
            {
                "crc32" => Crc32.Ieee.ComputeBase64(request.Body),
                "crc32c" => Crc32.Castagnoli.ComputeBase64(request.Body),
                "sha1" => Convert.ToBase64String(SHA1.HashData(request.Body)),
                "sha256" => Convert.ToBase64String(SHA256.HashData(request.Body)),
                _ => sent,
            };
            if (actual != sent)
            {
                throw new AwsErrorException(
                    400, "BadDigest", $"The {algorithm.ToUpperInvariant()} you specified did not match the calculated checksum.");
            }

            checksums.Add(new(header, sent));
        }

        return checksums;
    }
}
