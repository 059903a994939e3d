using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Simian.Sandbox.Http;

namespace Simian.Sandbox.S3;

/// <summary>
/// Multipart upload as S3 serves it: CreateMultipartUpload (<c>POST ?uploads</c>), UploadPart (<c>PUT
/// ?partNumber&amp;uploadId</c>), CompleteMultipartUpload (<c>POST ?uploadId</c>), AbortMultipartUpload (<c>DELETE
/// ?uploadId</c>) and ListParts (<c>GET ?uploadId</c>). Parts other than the last must be at least 5 MiB; the
/// object's ETag is the MD5 of the parts' MD5s followed by "-N".
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
/// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
/// </summary>
internal sealed class MultipartUploads
{
    public const int MinPartBytes = 5 * 1024 * 1024;
    public const int MaxParts = 10_000;
    private const string Ns = "http://s3.amazonaws.com/doc/2006-03-01/";

    private readonly ConcurrentDictionary<string, Upload> _uploads = new(StringComparer.Ordinal);
    private long _next;

    private sealed class Upload(string bucket, string key, string contentType, IReadOnlyList<KeyValuePair<string, string>> metadata, S3Object? seen)
    {
        /// <summary>The key's object when the upload was created (null: none), for conditional completion.</summary>
        public S3Object? Seen { get; } = seen;

        public string Bucket { get; } = bucket;
        public string Key { get; } = key;
        public string ContentType { get; } = contentType;
        public IReadOnlyList<KeyValuePair<string, string>> Metadata { get; } = metadata;
        public ConcurrentDictionary<int, (byte[] Data, string ETag)> Parts { get; } = new();
    }

    public SandboxResponse Create(string bucket, string key, SandboxRequest request, S3Object? seen)
    {
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{bucket}/{key}/{Interlocked.Increment(ref _next)}/{Guid.NewGuid()}")))[..40];
        var metadata = request.Headers
            .Where(h => h.Key.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase))
            .Select(h => new KeyValuePair<string, string>(h.Key.ToLowerInvariant(), h.Value))
            .ToList();
        _uploads[id] = new Upload(bucket, key, request.Header("Content-Type") ?? "binary/octet-stream", metadata, seen);
        return SandboxResponse.Xml(200, w =>
        {
            w.WriteStartElement("InitiateMultipartUploadResult", Ns);
            w.WriteElementString("Bucket", Ns, bucket);
            w.WriteElementString("Key", Ns, key);
            w.WriteElementString("UploadId", Ns, id);
            w.WriteEndElement();
        });
    }

    public SandboxResponse UploadPart(string bucket, string key, SandboxRequest request)
    {
        var upload = Find(bucket, key, request.QueryValue("uploadId"));
        if (!int.TryParse(request.QueryValue("partNumber"), NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > MaxParts)
        {
            throw new AwsErrorException(400, "InvalidArgument", $"Part number must be an integer between 1 and {MaxParts}, inclusive",
                ("ArgumentName", "partNumber"), ("ArgumentValue", request.QueryValue("partNumber") ?? ""));
        }

        var checksums = S3Checksums.Verify(request);
        var etag = "\"" + Convert.ToHexStringLower(MD5.HashData(request.Body)) + "\"";
        upload.Parts[number] = (request.Body, etag);
        var response = SandboxResponse.Empty(200).WithHeader("ETag", etag);
        foreach (var checksum in checksums) response.WithHeader(checksum.Key, checksum.Value);
        return response;
    }

    /// <summary>
    /// Checks the part list as S3 does and returns the assembled object; the upload is then gone.
    /// <paramref name="precondition"/> is given the key's object as it was when the upload was created, and throws
    /// to refuse the completion (the upload then stays, as on S3).
    /// </summary>
    public (byte[] Data, string ETag, string ContentType, IReadOnlyList<KeyValuePair<string, string>> Metadata, S3Object? Seen) Complete(
        string bucket, string key, SandboxRequest request, Action<S3Object?>? precondition = null)
    {
        var id = request.QueryValue("uploadId");
        var upload = Find(bucket, key, id);
        XElement root;
        try
        {
            root = XElement.Parse(Encoding.UTF8.GetString(request.Body));
        }
        catch (System.Xml.XmlException)
        {
            throw Malformed();
        }

        var listed = root.Elements().Where(e => e.Name.LocalName == "Part").Select(p => (
            Number: int.TryParse(p.Elements().FirstOrDefault(e => e.Name.LocalName == "PartNumber")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw Malformed(),
            ETag: p.Elements().FirstOrDefault(e => e.Name.LocalName == "ETag")?.Value ?? throw Malformed())).ToList();
        if (listed.Count == 0) throw Malformed();
        for (var i = 1; i < listed.Count; i++)
        {
            if (listed[i].Number <= listed[i - 1].Number)
            {
                throw new AwsErrorException(400, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.");
            }
        }

        var parts = new List<(byte[] Data, string ETag)>(listed.Count);
        foreach (var (number, etag) in listed)
        {
            if (!upload.Parts.TryGetValue(number, out var part) || Unquote(part.ETag) != Unquote(etag))
            {
                throw new AwsErrorException(400, "InvalidPart",
                    "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.");
            }

            parts.Add(part);
        }

        for (var i = 0; i < parts.Count - 1; i++)
        {
            if (parts[i].Data.Length < MinPartBytes)
            {
                throw new AwsErrorException(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.");
            }
        }

        var data = new byte[parts.Sum(p => (long)p.Data.Length)];
        var offset = 0;
        using var md5s = new MemoryStream();
        foreach (var part in parts)
        {
            part.Data.CopyTo(data, offset);
            offset += part.Data.Length;
            md5s.Write(Convert.FromHexString(Unquote(part.ETag)));
        }

        precondition?.Invoke(upload.Seen);
        _uploads.TryRemove(id!, out _);
        var objectTag = $"\"{Convert.ToHexStringLower(MD5.HashData(md5s.ToArray()))}-{parts.Count.ToString(CultureInfo.InvariantCulture)}\"";
        return (data, objectTag, upload.ContentType, upload.Metadata, upload.Seen);
    }

    public SandboxResponse CompleteAnswer(string bucket, string key, string etag, string endpoint) =>
        SandboxResponse.Xml(200, w =>
        {
            w.WriteStartElement("CompleteMultipartUploadResult", Ns);
            w.WriteElementString("Location", Ns, $"{endpoint}/{bucket}/{key}");
            w.WriteElementString("Bucket", Ns, bucket);
            w.WriteElementString("Key", Ns, key);
            w.WriteElementString("ETag", Ns, etag);
            w.WriteEndElement();
        });

    public SandboxResponse Abort(string bucket, string key, SandboxRequest request)
    {
        var id = request.QueryValue("uploadId");
        Find(bucket, key, id);
        _uploads.TryRemove(id!, out _);
        return SandboxResponse.Empty(204);
    }

    public SandboxResponse ListParts(string bucket, string key, SandboxRequest request)
    {
        var id = request.QueryValue("uploadId")!;
        var upload = Find(bucket, key, id);
        var parts = upload.Parts.OrderBy(p => p.Key).ToList();
        return SandboxResponse.Xml(200, w =>
        {
            w.WriteStartElement("ListPartsResult", Ns);
            w.WriteElementString("Bucket", Ns, bucket);
            w.WriteElementString("Key", Ns, key);
            w.WriteElementString("UploadId", Ns, id);
            w.WriteElementString("IsTruncated", Ns, "false");
            foreach (var (number, part) in parts)
            {
                w.WriteStartElement("Part", Ns);
                w.WriteElementString("PartNumber", Ns, number.ToString(CultureInfo.InvariantCulture));
                w.WriteElementString("ETag", Ns, part.ETag);
                w.WriteElementString("Size", Ns, part.Data.Length.ToString(CultureInfo.InvariantCulture));
                w.WriteEndElement();
            }

            w.WriteEndElement();
        });
    }

    private Upload Find(string bucket, string key, string? id) =>
        id is not null && _uploads.TryGetValue(id, out var upload) && upload.Bucket == bucket && upload.Key == key
            ? upload
            : throw new AwsErrorException(404, "NoSuchUpload",
                "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", ("UploadId", id ?? ""));

    private static string Unquote(string etag) => etag.Trim().Trim('"');

    private static AwsErrorException Malformed() =>
        new(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
}
