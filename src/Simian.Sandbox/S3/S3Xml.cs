using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using Simian.Sandbox.Auth;

namespace Simian.Sandbox.S3;

/// <summary>Writes S3 responses in the 2006-03-01 namespace.</summary>
internal static class S3Xml
{
    public const string Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string CanonicalUserId(string account) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("sandbox:" + account)));

    public static void ListBuckets(XmlWriter w, IEnumerable<S3Bucket> buckets, string account)
    {
        w.WriteStartElement("ListAllMyBucketsResult", Namespace);
        Owner(w, account);
        w.WriteStartElement("Buckets", Namespace);
        foreach (var bucket in buckets)
        {
            w.WriteStartElement("Bucket", Namespace);
            w.WriteElementString("Name", Namespace, bucket.Name);
            w.WriteElementString("CreationDate", Namespace, Timestamp(bucket.CreationDate));
            w.WriteElementString("BucketRegion", Namespace, bucket.Region);
            w.WriteEndElement();
        }

        w.WriteEndElement();
        w.WriteEndElement();
    }

    public static void ListObjects(XmlWriter w, ListRequest list, ObjectListing listing, string account)
    {
        string Enc(string value) => list.UrlEncode ? AwsUriEncoding.Encode(value, keepSlash: true) : value;

        w.WriteStartElement("ListBucketResult", Namespace);
        w.WriteElementString("Name", Namespace, list.Bucket);
        w.WriteElementString("Prefix", Namespace, Enc(list.Prefix));
        if (list.Version2)
        {
            w.WriteElementString("KeyCount", Namespace, (listing.Contents.Count + listing.CommonPrefixes.Count).ToString(CultureInfo.InvariantCulture));
            if (list.ContinuationToken is not null)
            {
                w.WriteElementString("ContinuationToken", Namespace, list.ContinuationToken);
            }

            if (listing.IsTruncated && listing.LastEntry is not null)
            {
                w.WriteElementString("NextContinuationToken", Namespace, ListRequest.EncodeToken(listing.LastEntry));
            }

            if (list.StartAfter is not null)
            {
                w.WriteElementString("StartAfter", Namespace, Enc(list.StartAfter));
            }
        }
        else
        {
            w.WriteElementString("Marker", Namespace, Enc(list.Marker ?? ""));
            if (listing.IsTruncated && listing.LastEntry is not null)
            {
                w.WriteElementString("NextMarker", Namespace, Enc(listing.LastEntry));
            }
        }

        w.WriteElementString("MaxKeys", Namespace, list.MaxKeys.ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(list.Delimiter))
        {
            w.WriteElementString("Delimiter", Namespace, Enc(list.Delimiter));
        }

        if (list.UrlEncode)
        {
            w.WriteElementString("EncodingType", Namespace, "url");
        }

        w.WriteElementString("IsTruncated", Namespace, listing.IsTruncated ? "true" : "false");
        foreach (var item in listing.Contents)
        {
            w.WriteStartElement("Contents", Namespace);
            w.WriteElementString("Key", Namespace, Enc(item.Key));
            w.WriteElementString("LastModified", Namespace, Timestamp(item.LastModified));
            w.WriteElementString("ETag", Namespace, item.ETag);
            w.WriteElementString("Size", Namespace, item.Data.Length.ToString(CultureInfo.InvariantCulture));
            if (!list.Version2 || list.FetchOwner)
            {
                Owner(w, account);
            }

            w.WriteElementString("StorageClass", Namespace, "STANDARD");
            w.WriteEndElement();
        }

        foreach (var prefix in listing.CommonPrefixes)
        {
            w.WriteStartElement("CommonPrefixes", Namespace);
            w.WriteElementString("Prefix", Namespace, Enc(prefix));
            w.WriteEndElement();
        }

        w.WriteEndElement();
    }

    public static void Tagging(XmlWriter w, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        w.WriteStartElement("Tagging", Namespace);
        w.WriteStartElement("TagSet", Namespace);
        foreach (var tag in tags)
        {
            w.WriteStartElement("Tag", Namespace);
            w.WriteElementString("Key", Namespace, tag.Key);
            w.WriteElementString("Value", Namespace, tag.Value);
            w.WriteEndElement();
        }

        w.WriteEndElement();
        w.WriteEndElement();
    }

    public static void Location(XmlWriter w, string region)
    {
        w.WriteStartElement("LocationConstraint", Namespace);
        if (region != "us-east-1")
        {
            w.WriteString(region);
        }

        w.WriteEndElement();
    }

    public static void Error(XmlWriter w, AwsErrorException error, string requestId)
    {
        w.WriteStartElement("Error");
        w.WriteElementString("Code", error.Code);
        w.WriteElementString("Message", error.Message);
        foreach (var (name, value) in error.Details)
        {
            w.WriteElementString(name, value);
        }

        w.WriteElementString("RequestId", requestId);
        w.WriteElementString("HostId", Convert.ToBase64String(Encoding.UTF8.GetBytes("sandbox-" + requestId)));
        w.WriteEndElement();
    }

    private static void Owner(XmlWriter w, string account)
    {
        w.WriteStartElement("Owner", Namespace);
        w.WriteElementString("ID", Namespace, CanonicalUserId(account));
        w.WriteElementString("DisplayName", Namespace, "sandbox");
        w.WriteEndElement();
    }
}
