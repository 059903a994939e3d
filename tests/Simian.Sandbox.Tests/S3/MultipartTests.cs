using System.Security.Cryptography;
using Simian.Sandbox.Tests.TestSupport;
using Xunit.Abstractions;

namespace Simian.Sandbox.Tests.S3;

/// <summary>
/// Multipart upload as S3 serves it (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html):
/// awscli's `s3 cp` of a 9 MB file goes in parts and comes back whole; parts other than the last must be 5 MiB or
/// more (EntityTooSmall), listed parts must exist with their ETags (InvalidPart) and be in order (InvalidPartOrder),
/// and an aborted upload is gone (NoSuchUpload) — https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html.
/// </summary>
public sealed class MultipartTests(ITestOutputHelper output)
{
    private static Fleet BucketFleet()
    {
        var fleet = TestFleets.Standard();
        fleet.Buckets.Add(new FleetBucket { Name = "uploads" });
        return fleet;
    }

    [ToolFact(Tools.AwsCli)]
    public async Task Awscli_copies_a_9_MB_file_in_parts_and_back_whole()
    {
        if (!File.Exists("/usr/bin/aws"))
        {
            Assert.False(string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase), "awscli is required under CI=true");
            output.WriteLine("awscli is not installed");
            return;
        }

        await using var sandbox = await SandboxHarness.StartAsync(BucketFleet());
        var dir = Directory.CreateTempSubdirectory("simian-multipart-");
        try
        {
            var original = Path.Combine(dir.FullName, "nine.bin");
            var content = RandomNumberGenerator.GetBytes(9 * 1024 * 1024);
            await File.WriteAllBytesAsync(original, content);

            async Task Run(params string[] args)
            {
                var (exit, stdout, stderr) = await TestSupport.AwsCli.RunAsync("/usr/bin/aws", sandbox.Endpoint, TestFleets.GameDayKey, TestFleets.GameDaySecret, args);
                output.WriteLine($"$ aws {string.Join(' ', args)} -> {exit}\n{stderr}");
                Assert.True(exit == 0, $"aws {string.Join(' ', args)} exited {exit}: {stderr}");
            }

            await Run("s3", "cp", original, "s3://uploads/nine.bin", "--only-show-errors");
            Assert.True(sandbox.State.CallCounts().GetValueOrDefault("s3:UploadPart") >= 2, "a 9 MB copy goes in parts");
            Assert.Equal(content, sandbox.State.ObjectContent("uploads", "nine.bin"));
            var back = Path.Combine(dir.FullName, "back.bin");
            await Run("s3", "cp", "s3://uploads/nine.bin", back, "--only-show-errors");
            Assert.Equal(content, await File.ReadAllBytesAsync(back));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [ToolFact(Tools.Boto3)]
    public async Task Parts_are_checked_as_S3_checks_them()
    {
        if (Boto3.Missing() is { } missing)
        {
            output.WriteLine(missing);
            return;
        }

        await using var sandbox = await SandboxHarness.StartAsync(BucketFleet());
        var result = await Boto3.RunAsync(sandbox.Endpoint, TestFleets.GameDayKey, TestFleets.GameDaySecret, """
            s3 = client("s3")
            def start():
                return s3.create_multipart_upload(Bucket="uploads", Key="k")["UploadId"]
            small = start()
            a = s3.upload_part(Bucket="uploads", Key="k", UploadId=small, PartNumber=1, Body=b"x" * 1024)["ETag"]
            b = s3.upload_part(Bucket="uploads", Key="k", UploadId=small, PartNumber=2, Body=b"y" * 10)["ETag"]
            parts = [{"PartNumber": 1, "ETag": a}, {"PartNumber": 2, "ETag": b}]
            tooSmall = error(lambda: s3.complete_multipart_upload(Bucket="uploads", Key="k", UploadId=small, MultipartUpload={"Parts": parts}))
            order = error(lambda: s3.complete_multipart_upload(Bucket="uploads", Key="k", UploadId=small, MultipartUpload={"Parts": parts[::-1]}))
            wrongTag = error(lambda: s3.complete_multipart_upload(Bucket="uploads", Key="k", UploadId=small, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": b}]}))
            listed = [p["Size"] for p in s3.list_parts(Bucket="uploads", Key="k", UploadId=small)["Parts"]]
            s3.abort_multipart_upload(Bucket="uploads", Key="k", UploadId=small)
            gone = error(lambda: s3.upload_part(Bucket="uploads", Key="k", UploadId=small, PartNumber=3, Body=b"z"))
            ok = start()
            big = s3.upload_part(Bucket="uploads", Key="k", UploadId=ok, PartNumber=1, Body=b"a" * (5 * 1024 * 1024))["ETag"]
            last = s3.upload_part(Bucket="uploads", Key="k", UploadId=ok, PartNumber=2, Body=b"b" * 3)["ETag"]
            done = s3.complete_multipart_upload(Bucket="uploads", Key="k", UploadId=ok,
                MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": big}, {"PartNumber": 2, "ETag": last}]})
            result = {"tooSmall": tooSmall, "order": order, "wrongTag": wrongTag, "listed": listed, "gone": gone, "etag": done["ETag"],
                      "size": s3.head_object(Bucket="uploads", Key="k")["ContentLength"]}
            """);
        Assert.Equal("EntityTooSmall", result.GetProperty("tooSmall").GetProperty("Code").GetString());
        Assert.Equal("InvalidPartOrder", result.GetProperty("order").GetProperty("Code").GetString());
        Assert.Equal("InvalidPart", result.GetProperty("wrongTag").GetProperty("Code").GetString());
        Assert.Equal([1024, 10], result.GetProperty("listed").EnumerateArray().Select(e => e.GetInt32()).ToList());
        Assert.Equal("NoSuchUpload", result.GetProperty("gone").GetProperty("Code").GetString());
        Assert.EndsWith("-2\"", result.GetProperty("etag").GetString(), StringComparison.Ordinal);
        Assert.Equal(5 * 1024 * 1024 + 3, result.GetProperty("size").GetInt32());
    }
}
