using System.Security.Cryptography;
using System.Text;
using Simian.Sandbox.Policy;

namespace Simian.Sandbox.S3;

/// <summary>All buckets, behind one lock that S3 handlers hold while they read or change them.</summary>
internal sealed class S3BucketStore
{
    private readonly Dictionary<string, S3Bucket> _buckets = new(StringComparer.Ordinal);

    public S3BucketStore(Fleet fleet, DateTimeOffset now)
    {
        foreach (var source in fleet.Buckets)
        {
            var bucket = new S3Bucket(source.Name, fleet.Region, now) { Owner = source.Owner ?? fleet.Account, PublicAccess = source.BlockPublicAccess ? PublicAccessBlock.On : PublicAccessBlock.Off };
            if (source.Tags.Count > 0)
            {
                bucket.Tags = source.Tags.ToList();
            }

            if (source.Policy is not null)
            {
                bucket.Policy = BucketPolicy.Parse(Encoding.UTF8.GetBytes(source.Policy), source.Name);
            }

            foreach (var (key, content) in source.Objects)
            {
                bucket.Objects[key] = NewObject(key, Encoding.UTF8.GetBytes(content), now, "text/plain", [], []);
            }

            _buckets.Add(bucket.Name, bucket);
        }
    }

    public object Gate { get; } = new();

    public IEnumerable<S3Bucket> All => _buckets.Values.OrderBy(b => b.Name, StringComparer.Ordinal);

    public S3Bucket? Find(string name) => _buckets.GetValueOrDefault(name);

    public void Add(S3Bucket bucket) => _buckets.Add(bucket.Name, bucket);

    public void Remove(string name) => _buckets.Remove(name);

    public static S3Object NewObject(
        string key,
        byte[] data,
        DateTimeOffset now,
        string contentType,
        IReadOnlyList<KeyValuePair<string, string>> metadata,
        IReadOnlyList<KeyValuePair<string, string>> checksums) =>
        new(key, data, "\"" + Convert.ToHexStringLower(MD5.HashData(data)) + "\"", now, contentType, metadata, checksums);
}
