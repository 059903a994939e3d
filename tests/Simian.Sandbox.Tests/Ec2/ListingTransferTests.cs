using Amazon.EC2.Model;
using Simian.Sandbox.Tests.TestSupport;

namespace Simian.Sandbox.Tests.Ec2;

/// <summary>
/// How a listing goes over the wire. A body up to 1 MiB is sent whole with a Content-Length; only a larger one is
/// chunked. A chunked body ends with a separate small write that the kernel holds (Nagle) until the client
/// acknowledges the data before it, and a client delaying its acknowledgements then waited ~40 ms per listing on a
/// reused connection (a rollback's instance read-back showed it). Both forms are valid HTTP/1.1 for every client
/// (RFC 9112 §6, https://www.rfc-editor.org/rfc/rfc9112#section-6); the sandbox picks the one without the stall.
/// This is transport, not API behaviour: AWS's EC2 API reference
/// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html) specifies the response's
/// XML elements and says nothing of its framing, so what is held to here is that both the .NET SDK and boto3 read
/// either form to the same instances.
/// </summary>
public sealed class ListingTransferTests
{
    [Fact]
    public async Task A_small_listing_has_a_content_length_and_is_not_chunked()
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        var page = await sandbox.Ec2().DescribeInstancesAsync(new DescribeInstancesRequest());

        Assert.NotEmpty(page.Reservations);
        Assert.True(page.ContentLength > 0, $"Content-Length {page.ContentLength}");

        if (Boto3.Missing() is not null) return;
        var headers = await Boto3.RunAsync(sandbox.Endpoint, TestFleets.GameDayKey, TestFleets.GameDaySecret, """
            r = client("ec2").describe_instances()
            h = r["ResponseMetadata"]["HTTPHeaders"]
            result = {"length": h.get("content-length"), "chunked": h.get("transfer-encoding"), "instances": sum(len(x["Instances"]) for x in r["Reservations"])}
            """);
        Assert.Null(headers.GetProperty("chunked").GetString());
        Assert.True(int.Parse(headers.GetProperty("length").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.True(headers.GetProperty("instances").GetInt32() > 0);
    }

    [Fact]
    public async Task A_listing_over_a_mebibyte_streams_chunked_and_arrives_whole()
    {
        var fleet = TestFleets.Standard();
        fleet.Generate.Add(new FleetInstanceGenerator { Count = 3000, Tags = { ["app"] = "bulk" } });
        await using var sandbox = await SandboxHarness.StartAsync(fleet);

        var page = await sandbox.Ec2().DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new Filter("tag:app", ["bulk"])] });

        Assert.Equal(3000, page.Reservations.Sum(r => r.Instances.Count));
        if (Boto3.Missing() is not null) return;
        var headers = await Boto3.RunAsync(sandbox.Endpoint, TestFleets.GameDayKey, TestFleets.GameDaySecret, """
            r = client("ec2").describe_instances(Filters=[{"Name": "tag:app", "Values": ["bulk"]}])
            h = r["ResponseMetadata"]["HTTPHeaders"]
            result = {"length": h.get("content-length"), "chunked": h.get("transfer-encoding"), "instances": sum(len(x["Instances"]) for x in r["Reservations"])}
            """);
        Assert.Equal("chunked", headers.GetProperty("chunked").GetString());
        Assert.Equal(3000, headers.GetProperty("instances").GetInt32());
    }
}
