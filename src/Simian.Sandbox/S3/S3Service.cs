using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Simian.Sandbox.Auth;
using Simian.Sandbox.Http;
using Simian.Sandbox.Policy;

namespace Simian.Sandbox.S3;

/// <summary>
/// S3's REST API, path-style (<c>/bucket/key</c>). Object reads, writes, deletes and listings are checked against
/// the bucket policy; bucket-level calls (policy, tagging) are the owner's and are not, so a chaos run can always
/// restore what it changed.
/// </summary>
internal sealed class S3Service : ISandboxService
{
    private static readonly HashSet<string> UnsupportedSubresources = new(StringComparer.Ordinal)
    {
        "acl", "accelerate", "analytics", "attributes", "cors", "delete", "encryption", "intelligent-tiering",
        "inventory", "legal-hold", "lifecycle", "logging", "metrics", "notification", "object-lock",
        "ownershipControls", "policyStatus", "replication", "requestPayment", "restore",
        "retention", "select", "torrent", "versioning", "versions", "website",
    };

    private readonly S3BucketStore _store;
    private readonly MultipartUploads _multipart = new();
    private readonly TimeProvider _time;
    private readonly string _region;
    private readonly string _account;

    public S3Service(S3BucketStore store, TimeProvider time, string region, string account)
    {
        _store = store;
        _time = time;
        _region = region;
        _account = account;
    }

    public string Name => "s3";

    public bool AllowsAnonymous => true;

    public SandboxResponse Handle(SandboxRequest request, CallerIdentity caller, string requestId)
    {
        // Path-style only: a request addressed to bucket.host (virtual-hosted style) would otherwise be read as a
        // bucket-less path and answered wrongly, so it is refused.
        if (request.Header("Host") is { } host && VirtualHostedBucket(host) is { } named)
        {
            throw S3Errors.NotImplemented($"virtual-hosted-style addressing (bucket '{named}' in the Host header); use path-style requests");
        }

        var path = request.Path.TrimStart('/');
        var slash = path.IndexOf('/');
        var bucket = slash < 0 ? path : path[..slash];
        var key = slash < 0 ? "" : path[(slash + 1)..];
        if (request.Query.FirstOrDefault(q => UnsupportedSubresources.Contains(q.Key)) is { Key: { } unsupported })
        {
            throw S3Errors.NotImplemented("?" + unsupported);
        }

        SandboxResponse response;
        string action;
        if (bucket.Length == 0)
        {
            (action, response) = request.Method == "GET"
                ? ("ListBuckets", ListBuckets())
                : throw new AwsErrorException(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
        }
        else
        {
            CheckExpectedOwner(request, bucket);
            (action, response) = key.Length == 0 ? BucketCall(request, bucket, caller) : ObjectCall(request, bucket, key, caller);
        }

        response.Action = action;
        return response.WithHeader("x-amz-request-id", requestId);
    }

    /// <summary>The bucket a Host header names in front of an S3 host name or localhost, or null (an IP, localhost, a plain name).</summary>
    internal static string? VirtualHostedBucket(string host)
    {
        var name = host.StartsWith('[') ? host : host.Split(':')[0];
        if (System.Net.IPAddress.TryParse(name, out _) || !name.Contains('.', StringComparison.Ordinal)) return null;
        foreach (var suffix in new[] { ".localhost", ".s3.amazonaws.com" })
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && name.Length > suffix.Length) return name[..^suffix.Length];
        }

        var s3 = name.IndexOf(".s3.", StringComparison.OrdinalIgnoreCase);
        var s3Dash = name.IndexOf(".s3-", StringComparison.OrdinalIgnoreCase);
        var at = s3 > 0 ? s3 : s3Dash;
        return at > 0 && name.EndsWith(".amazonaws.com", StringComparison.OrdinalIgnoreCase) ? name[..at] : null;
    }

    public AwsErrorException Describe(CommonError error, string detail) => error switch
    {
        CommonError.Throttled => new(503, "SlowDown", "Please reduce your request rate."),
        CommonError.Internal => new(500, "InternalError", "We encountered an internal error. Please try again."),
        CommonError.MissingAuthentication => new(403, "AccessDenied", "Access Denied"),
        CommonError.UnknownAccessKey => new(403, "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.", ("AWSAccessKeyId", detail)),
        CommonError.SignatureMismatch => new(403, "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your key and signing method."),
        CommonError.RequestTimeTooSkewed => new(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", ("RequestTime", detail)),
        CommonError.InvalidToken => new(400, "InvalidToken", "The provided token is malformed or otherwise invalid."),
        CommonError.ExpiredToken => new(400, "ExpiredToken", "The provided token has expired."),
        _ => new(400, "AuthorizationHeaderMalformed", detail),
    };

    public SandboxResponse RenderError(AwsErrorException error, SandboxRequest request, string requestId)
    {
        var response = request.IsHead
            ? SandboxResponse.Empty(error.Status)
            : SandboxResponse.Xml(error.Status, w => S3Xml.Error(w, error, requestId));
        return response.WithHeader("x-amz-request-id", requestId);
    }

    /// <summary>
    /// x-amz-expected-bucket-owner: a request naming an account that does not own the bucket is refused with 403
    /// Access Denied (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html).
    /// </summary>
    private void CheckExpectedOwner(SandboxRequest request, string bucket)
    {
        if (request.Header("x-amz-expected-bucket-owner") is not { } expected) return;
        if (expected.Length != 12 || !expected.All(char.IsAsciiDigit))
        {
            throw new AwsErrorException(400, "InvalidBucketOwnerAWSAccountID", "The value of the expected bucket owner parameter must be an AWS Account ID...");
        }

        lock (_store.Gate)
        {
            if (_store.Find(bucket) is { } found && found.Owner != expected)
            {
                throw new AwsErrorException(403, "AccessDenied", "Access Denied", ("BucketName", bucket));
            }
        }
    }

    /// <summary>
    /// Bucket-level calls are evaluated against the bucket policy like object calls. Only the owning account's root
    /// user escapes a Deny on GetBucketPolicy, PutBucketPolicy and DeleteBucketPolicy
    /// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/add-bucket-policy.html: "the root principal of the
    /// account that owns a bucket can always perform GetBucketPolicy, PutBucketPolicy, and DeleteBucketPolicy").
    /// </summary>
    private void AuthorizeBucketCall(string name, CallerIdentity caller, string action)
    {
        lock (_store.Gate)
        {
            var bucket = Bucket(name);
            var isOwnerRoot = !caller.IsAnonymous && caller.Account == bucket.Owner && caller.Arn == $"arn:aws:iam::{bucket.Owner}:root";
            if (isOwnerRoot && action is "s3:GetBucketPolicy" or "s3:PutBucketPolicy" or "s3:DeleteBucketPolicy") return;
            Authorize(bucket, caller, action, $"arn:aws:s3:::{name}");
        }
    }

    private (string, SandboxResponse) BucketCall(SandboxRequest request, string bucket, CallerIdentity caller)
    {
        var method = request.Method;
        var bucketAction = (request.HasQuery("policy"), request.HasQuery("tagging"), request.HasQuery("location"), method) switch
        {
            (true, _, _, "GET") => "s3:GetBucketPolicy",
            (true, _, _, "PUT") => "s3:PutBucketPolicy",
            (true, _, _, "DELETE") => "s3:DeleteBucketPolicy",
            (_, true, _, "GET") => "s3:GetBucketTagging",
            (_, true, _, "PUT" or "DELETE") => "s3:PutBucketTagging",
            (_, _, true, "GET") => "s3:GetBucketLocation",
            _ when request.HasQuery("publicAccessBlock") => method == "GET" ? "s3:GetBucketPublicAccessBlock" : "s3:PutBucketPublicAccessBlock",
            (false, false, false, "HEAD") => "s3:ListBucket",
            _ => null,
        };
        if (bucketAction is not null) AuthorizeBucketCall(bucket, caller, bucketAction);
        if (request.HasQuery("policy"))
        {
            return method switch
            {
                "GET" => ("GetBucketPolicy", GetBucketPolicy(bucket)),
                "PUT" => ("PutBucketPolicy", PutBucketPolicy(bucket, request)),
                "DELETE" => ("DeleteBucketPolicy", DeleteBucketPolicy(bucket)),
                _ => throw MethodNotAllowed(),
            };
        }

        if (request.HasQuery("publicAccessBlock"))
        {
            return method switch
            {
                "GET" => ("GetPublicAccessBlock", GetPublicAccessBlock(bucket)),
                "PUT" => ("PutPublicAccessBlock", PutPublicAccessBlock(bucket, request)),
                "DELETE" => ("DeletePublicAccessBlock", SetPublicAccessBlock(bucket, PublicAccessBlock.Off)),
                _ => throw MethodNotAllowed(),
            };
        }

        if (request.HasQuery("tagging"))
        {
            return method switch
            {
                "GET" => ("GetBucketTagging", GetBucketTagging(bucket)),
                "PUT" => ("PutBucketTagging", PutBucketTagging(bucket, request)),
                "DELETE" => ("DeleteBucketTagging", DeleteBucketTagging(bucket)),
                _ => throw MethodNotAllowed(),
            };
        }

        if (request.HasQuery("location"))
        {
            return method == "GET" ? ("GetBucketLocation", GetBucketLocation(bucket)) : throw MethodNotAllowed();
        }

        return method switch
        {
            "GET" when request.QueryValue("list-type") == "2" => ("ListObjectsV2", ListObjects(request, bucket, caller)),
            "GET" => ("ListObjects", ListObjects(request, bucket, caller)),
            "PUT" => ("CreateBucket", CreateBucket(bucket, request)),
            "HEAD" => ("HeadBucket", HeadBucket(bucket)),
            "DELETE" => ("DeleteBucket", DeleteBucket(bucket)),
            _ => throw MethodNotAllowed(),
        };
    }

    private (string, SandboxResponse) ObjectCall(SandboxRequest request, string bucket, string key, CallerIdentity caller)
    {
        if (request.HasQuery("tagging"))
        {
            throw S3Errors.NotImplemented("object tagging");
        }

        if (request.HasQuery("uploads") || request.HasQuery("uploadId"))
        {
            return MultipartCall(request, bucket, key, caller);
        }

        return request.Method switch
        {
            "PUT" when request.Header("x-amz-copy-source") is not null => throw S3Errors.NotImplemented("CopyObject"),
            "PUT" => ("PutObject", PutObject(request, bucket, key, caller)),
            "GET" => ("GetObject", GetObject(request, bucket, key, caller, head: false)),
            "HEAD" => ("HeadObject", GetObject(request, bucket, key, caller, head: true)),
            "DELETE" => ("DeleteObject", DeleteObject(request, bucket, key, caller)),
            _ => throw MethodNotAllowed(),
        };
    }

    private SandboxResponse ListBuckets()
    {
        lock (_store.Gate)
        {
            // ListBuckets lists the caller's account's buckets only.
            var buckets = _store.All.Where(b => b.Owner == _account).ToList();
            return SandboxResponse.Xml(200, w => S3Xml.ListBuckets(w, buckets, _account));
        }
    }

    private SandboxResponse CreateBucket(string name, SandboxRequest request)
    {
        if (FleetRules.BucketNameError(name) is { } error)
        {
            throw new AwsErrorException(400, "InvalidBucketName", error, ("BucketName", name));
        }

        var region = _region;
        if (request.Body.Length > 0)
        {
            var document = ParseXml(request.Body);
            region = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "LocationConstraint")?.Value is { Length: > 0 } wanted
                ? wanted
                : region;
        }

        lock (_store.Gate)
        {
            if (_store.Find(name) is not null)
            {
                throw new AwsErrorException(409, "BucketAlreadyOwnedByYou",
                    "Your previous request to create the named bucket succeeded and you already own it.", ("BucketName", name));
            }

            // The creator's account owns the bucket (the sandbox's account for its default identity).
            // New buckets have Block Public Access on, as on AWS since April 2023.
            _store.Add(new S3Bucket(name, region, _time.GetUtcNow()) { Owner = _account, PublicAccess = PublicAccessBlock.On });
        }

        return SandboxResponse.Empty(200).WithHeader("Location", "/" + name);
    }

    private SandboxResponse HeadBucket(string name)
    {
        lock (_store.Gate)
        {
            return SandboxResponse.Empty(200).WithHeader("x-amz-bucket-region", Bucket(name).Region);
        }
    }

    private SandboxResponse DeleteBucket(string name)
    {
        lock (_store.Gate)
        {
            if (Bucket(name).Objects.Count > 0)
            {
                throw new AwsErrorException(409, "BucketNotEmpty", "The bucket you tried to delete is not empty", ("BucketName", name));
            }

            _store.Remove(name);
        }

        return SandboxResponse.Empty(204);
    }

    private SandboxResponse GetBucketLocation(string name)
    {
        lock (_store.Gate)
        {
            var region = Bucket(name).Region;
            return SandboxResponse.Xml(200, w => S3Xml.Location(w, region));
        }
    }

    private SandboxResponse GetBucketPolicy(string name)
    {
        lock (_store.Gate)
        {
            var policy = Bucket(name).Policy
                ?? throw new AwsErrorException(404, "NoSuchBucketPolicy", "The bucket policy does not exist", ("BucketName", name));
            return new SandboxResponse { Status = 200, ContentType = "application/json", Body = policy.Raw };
        }
    }

    private SandboxResponse PutBucketPolicy(string name, SandboxRequest request)
    {
        S3Checksums.Verify(request);
        BucketPolicy policy;
        try
        {
            policy = BucketPolicy.Parse(request.Body, name);
        }
        catch (MalformedPolicyException e)
        {
            throw new AwsErrorException(400, "MalformedPolicy", e.Message, ("BucketName", name));
        }

        lock (_store.Gate)
        {
            var bucket = Bucket(name);
            if (bucket.PublicAccess.BlockPublicPolicy && PolicyEvaluator.IsPublic(policy))
            {
                throw new AwsErrorException(403, "AccessDenied",
                    "User is not authorized to perform: s3:PutBucketPolicy on resource because public policies are blocked by the BlockPublicPolicy block public access setting.",
                    ("BucketName", name));
            }

            bucket.Policy = policy;
        }

        return SandboxResponse.Empty(204);
    }

    private SandboxResponse GetPublicAccessBlock(string name)
    {
        lock (_store.Gate)
        {
            var block = Bucket(name).PublicAccess;
            if (block == PublicAccessBlock.Off)
            {
                throw new AwsErrorException(404, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found", ("BucketName", name));
            }

            return SandboxResponse.Xml(200, w =>
            {
                const string ns = "http://s3.amazonaws.com/doc/2006-03-01/";
                w.WriteStartElement("PublicAccessBlockConfiguration", ns);
                w.WriteElementString("BlockPublicAcls", ns, block.BlockPublicAcls ? "true" : "false");
                w.WriteElementString("IgnorePublicAcls", ns, block.IgnorePublicAcls ? "true" : "false");
                w.WriteElementString("BlockPublicPolicy", ns, block.BlockPublicPolicy ? "true" : "false");
                w.WriteElementString("RestrictPublicBuckets", ns, block.RestrictPublicBuckets ? "true" : "false");
                w.WriteEndElement();
            });
        }
    }

    private SandboxResponse PutPublicAccessBlock(string name, SandboxRequest request)
    {
        S3Checksums.Verify(request);
        System.Xml.Linq.XElement root;
        try
        {
            root = System.Xml.Linq.XElement.Parse(System.Text.Encoding.UTF8.GetString(request.Body));
        }
        catch (System.Xml.XmlException)
        {
            throw new AwsErrorException(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.");
        }

        bool Flag(string element) =>
            root.Elements().FirstOrDefault(e => e.Name.LocalName == element)?.Value.Trim() is { } text && string.Equals(text, "true", StringComparison.OrdinalIgnoreCase);
        return SetPublicAccessBlock(name, new PublicAccessBlock(Flag("BlockPublicAcls"), Flag("IgnorePublicAcls"), Flag("BlockPublicPolicy"), Flag("RestrictPublicBuckets")));
    }

    private SandboxResponse SetPublicAccessBlock(string name, PublicAccessBlock block)
    {
        lock (_store.Gate)
        {
            Bucket(name).PublicAccess = block;
        }

        return SandboxResponse.Empty(block == PublicAccessBlock.Off ? 204 : 200);
    }

    private SandboxResponse DeleteBucketPolicy(string name)
    {
        lock (_store.Gate)
        {
            Bucket(name).Policy = null;
        }

        return SandboxResponse.Empty(204);
    }

    private SandboxResponse GetBucketTagging(string name)
    {
        lock (_store.Gate)
        {
            var tags = Bucket(name).Tags
                ?? throw new AwsErrorException(404, "NoSuchTagSet", "The TagSet does not exist", ("BucketName", name));
            return SandboxResponse.Xml(200, w => S3Xml.Tagging(w, tags));
        }
    }

    private SandboxResponse PutBucketTagging(string name, SandboxRequest request)
    {
        S3Checksums.Verify(request);
        var document = ParseXml(request.Body);
        var tags = new List<KeyValuePair<string, string>>();
        foreach (var tag in document.Descendants().Where(e => e.Name.LocalName == "Tag"))
        {
            var key = tag.Elements().FirstOrDefault(e => e.Name.LocalName == "Key")?.Value ?? throw S3Errors.MalformedXml();
            var value = tag.Elements().FirstOrDefault(e => e.Name.LocalName == "Value")?.Value ?? "";
            if (tags.Any(t => t.Key == key))
            {
                throw new AwsErrorException(400, "InvalidTag", "Cannot provide multiple Tags with the same key");
            }

            tags.Add(new(key, value));
        }

        if (tags.Count > 50)
        {
            throw new AwsErrorException(400, "InvalidTag", "Bucket tag count cannot be greater than 50");
        }

        lock (_store.Gate)
        {
            Bucket(name).Tags = tags;
        }

        return SandboxResponse.Empty(204);
    }

    private SandboxResponse DeleteBucketTagging(string name)
    {
        lock (_store.Gate)
        {
            Bucket(name).Tags = null;
        }

        return SandboxResponse.Empty(204);
    }

    private SandboxResponse ListObjects(SandboxRequest request, string name, CallerIdentity caller)
    {
        var list = ListRequest.From(name, request);
        lock (_store.Gate)
        {
            var bucket = Bucket(name);
            Authorize(bucket, caller, "s3:ListBucket", $"arn:aws:s3:::{name}");
            var listing = ObjectListing.Create(bucket, list.Prefix, list.Delimiter, list.After, list.MaxKeys);
            return SandboxResponse.Xml(200, w => S3Xml.ListObjects(w, list, listing, _account));
        }
    }

    /// <summary>Multipart upload (see <see cref="MultipartUploads"/>); every step is authorized as s3:PutObject, abort as s3:AbortMultipartUpload.</summary>
    private (string, SandboxResponse) MultipartCall(SandboxRequest request, string name, string key, CallerIdentity caller)
    {
        var resource = $"arn:aws:s3:::{name}/{key}";
        void Allow(string action)
        {
            lock (_store.Gate)
            {
                Authorize(Bucket(name), caller, action, resource);
            }
        }

        switch (request.Method)
        {
            case "POST" when request.HasQuery("uploads"):
                Allow("s3:PutObject");
                S3Object? seen;
                lock (_store.Gate)
                {
                    seen = Bucket(name).Objects.GetValueOrDefault(key);
                }

                return ("CreateMultipartUpload", _multipart.Create(name, key, request, seen));
            case "PUT" when request.Header("x-amz-copy-source") is not null:
                throw S3Errors.NotImplemented("UploadPartCopy");
            case "PUT":
                Allow("s3:PutObject");
                return ("UploadPart", _multipart.UploadPart(name, key, request));
            case "POST":
                Allow("s3:PutObject");
                var conditions = ConditionalRequests.ForWrite(request);
                string etag;
                lock (_store.Gate)
                {
                    // Under the lock from the check to the write, so two conditional completions cannot both win.
                    var bucket = Bucket(name);
                    var current = bucket.Objects.GetValueOrDefault(key);
                    var (data, tag, contentType, metadata, _) = _multipart.Complete(name, key, request, conditions.Any ? upload =>
                    {
                        if (!ReferenceEquals(upload, current)) throw ConditionalRequests.Conflict();
                        conditions.CheckWrite(current, key);
                    }
                    : null);
                    etag = tag;
                    bucket.Objects[key] = new S3Object(key, data, etag, _time.GetUtcNow(), contentType, metadata, []);
                }

                return ("CompleteMultipartUpload", _multipart.CompleteAnswer(name, key, etag, "http://" + (request.Header("Host") ?? "127.0.0.1")));
            case "DELETE":
                Allow("s3:AbortMultipartUpload");
                return ("AbortMultipartUpload", _multipart.Abort(name, key, request));
            case "GET":
                Allow("s3:ListMultipartUploadParts");
                return ("ListParts", _multipart.ListParts(name, key, request));
            default:
                throw MethodNotAllowed();
        }
    }

    private SandboxResponse PutObject(SandboxRequest request, string name, string key, CallerIdentity caller)
    {
        if (request.Header("x-amz-decoded-content-length") is { } declared
            && declared != request.Body.Length.ToString(CultureInfo.InvariantCulture))
        {
            throw new AwsErrorException(400, "IncompleteBody",
                $"You did not provide the number of bytes specified by the x-amz-decoded-content-length header ({declared}; got {request.Body.Length}).");
        }

        var checksums = S3Checksums.Verify(request);
        var metadata = request.Headers
            .Where(h => h.Key.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase))
            .Select(h => new KeyValuePair<string, string>(h.Key.ToLowerInvariant(), h.Value))
            .ToList();
        var contentType = request.Header("Content-Type") ?? "binary/octet-stream";
        var conditions = ConditionalRequests.ForWrite(request);
        S3Object stored;
        lock (_store.Gate)
        {
            var bucket = Bucket(name);
            Authorize(bucket, caller, "s3:PutObject", $"arn:aws:s3:::{name}/{key}");
            conditions.CheckWrite(bucket.Objects.GetValueOrDefault(key), key);
            stored = S3BucketStore.NewObject(key, request.Body, _time.GetUtcNow(), contentType, metadata, checksums);
            bucket.Objects[key] = stored;
        }

        var response = SandboxResponse.Empty(200).WithHeader("ETag", stored.ETag);
        foreach (var checksum in checksums)
        {
            response.WithHeader(checksum.Key, checksum.Value);
        }

        return response;
    }

    private SandboxResponse GetObject(SandboxRequest request, string name, string key, CallerIdentity caller, bool head)
    {
        var conditions = ConditionalRequests.ForRead(request);
        S3Object item;
        lock (_store.Gate)
        {
            var bucket = Bucket(name);
            Authorize(bucket, caller, "s3:GetObject", $"arn:aws:s3:::{name}/{key}");
            item = bucket.Objects.GetValueOrDefault(key) ?? throw S3Errors.NoSuchKey(key);
        }

        if (conditions.NotModified(item))
        {
            return SandboxResponse.Empty(304).WithHeader("ETag", item.ETag);
        }

        var (status, offset, length) = Range(request.Header("Range"), item.Data.Length);
        var response = new SandboxResponse
        {
            Status = status,
            ContentType = item.ContentType,
            Body = head ? ReadOnlyMemory<byte>.Empty : item.Data.AsMemory(offset, length),
            HeadContentLength = head ? length : null,
        };
        response.WithHeader("ETag", item.ETag)
            .WithHeader("Last-Modified", item.LastModified.UtcDateTime.ToString("R", CultureInfo.InvariantCulture))
            .WithHeader("Accept-Ranges", "bytes");
        if (status == 206)
        {
            response.WithHeader("Content-Range", string.Create(CultureInfo.InvariantCulture, $"bytes {offset}-{offset + length - 1}/{item.Data.Length}"));
        }
        else if (string.Equals(request.Header("x-amz-checksum-mode"), "ENABLED", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var checksum in item.Checksums)
            {
                response.WithHeader(checksum.Key, checksum.Value);
            }
        }

        foreach (var meta in item.Metadata)
        {
            response.WithHeader(meta.Key, meta.Value);
        }

        return response;
    }

    private SandboxResponse DeleteObject(SandboxRequest request, string name, string key, CallerIdentity caller)
    {
        var conditions = ConditionalRequests.ForDelete(request);
        lock (_store.Gate)
        {
            var bucket = Bucket(name);
            Authorize(bucket, caller, "s3:DeleteObject", $"arn:aws:s3:::{name}/{key}");
            if (conditions.IfMatch is { } etag && etag != "*")
            {
                // A delete of one ETag reads the object first: it needs s3:GetObject as well.
                Authorize(bucket, caller, "s3:GetObject", $"arn:aws:s3:::{name}/{key}");
            }

            conditions.CheckDelete(bucket.Objects.GetValueOrDefault(key), key);
            bucket.Objects.Remove(key);
        }

        return SandboxResponse.Empty(204);
    }

    private S3Bucket Bucket(string name) => _store.Find(name) ?? throw S3Errors.NoSuchBucket(name);

    /// <summary>
    /// An explicit Deny wins. The owner's account is allowed by its identity policies (the fleet's deniedActions
    /// stand for what they lack); anyone else — another account, or an anonymous caller — needs an Allow in the
    /// bucket policy, and a public one is ignored while RestrictPublicBuckets is on
    /// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-policy-language-overview.html,
    /// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html).
    /// </summary>
    private void Authorize(S3Bucket bucket, CallerIdentity caller, string action, string resource)
    {
        var principals = caller.IsAnonymous
            ? []
            : new[] { caller.Arn, caller.PrincipalArn!, $"arn:aws:iam::{caller.Account}:root" }.Distinct().ToArray();
        // aws:CurrentTime and aws:EpochTime are the request's time, present in every request
        // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-currenttime).
        var keys = new Dictionary<string, string>(caller.ConditionKeys(), StringComparer.OrdinalIgnoreCase);
        var now = _time.GetUtcNow();
        keys["aws:CurrentTime"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        keys["aws:EpochTime"] = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var request = new PolicyRequest(principals, action, resource, keys);
        if (bucket.Policy is { } policy && PolicyEvaluator.Evaluate(policy, request) is { Denied: true } decision)
        {
            throw S3Errors.AccessDenied(decision.Reason);
        }

        if (!caller.IsAnonymous && caller.Account == bucket.Owner)
        {
            if (!caller.IsAllowed(action)) throw S3Errors.AccessDenied($"no identity-based policy allows the {action} action");
            return;
        }

        if (bucket.Policy is not { } granting || !PolicyEvaluator.Allows(granting, request))
        {
            throw S3Errors.AccessDenied(caller.IsAnonymous ? "anonymous requests need a bucket policy that allows them" : "no bucket policy statement allows another account");
        }

        if (bucket.PublicAccess.RestrictPublicBuckets && PolicyEvaluator.IsPublic(granting))
        {
            throw S3Errors.AccessDenied("the bucket's policy is public and RestrictPublicBuckets is on");
        }
    }

    /// <summary>Serves a single <c>bytes=</c> range; anything else gets the whole object, as S3 does.</summary>
    private static (int Status, int Offset, int Length) Range(string? header, int size)
    {
        if (header is null || !header.StartsWith("bytes=", StringComparison.Ordinal) || header.Contains(',', StringComparison.Ordinal))
        {
            return (200, 0, size);
        }

        var spec = header[6..].Split('-');
        if (spec.Length != 2)
        {
            return (200, 0, size);
        }

        long start, end;
        if (spec[0].Length == 0 && long.TryParse(spec[1], NumberStyles.None, CultureInfo.InvariantCulture, out var suffix))
        {
            start = Math.Max(0, size - suffix);
            end = size - 1;
        }
        else if (long.TryParse(spec[0], NumberStyles.None, CultureInfo.InvariantCulture, out start))
        {
            end = spec[1].Length == 0 ? size - 1
                : long.TryParse(spec[1], NumberStyles.None, CultureInfo.InvariantCulture, out var e) ? Math.Min(e, size - 1) : -1;
        }
        else
        {
            return (200, 0, size);
        }

        if (start >= size || end < start)
        {
            throw new AwsErrorException(416, "InvalidRange", "The requested range is not satisfiable");
        }

        return (206, (int)start, (int)(end - start + 1));
    }

    private static XDocument ParseXml(byte[] body)
    {
        try
        {
            using var stream = new MemoryStream(body);
            using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
            return XDocument.Load(reader);
        }
        catch (XmlException)
        {
            throw S3Errors.MalformedXml();
        }
    }

    private static AwsErrorException MethodNotAllowed() =>
        new(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
}
