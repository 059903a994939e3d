namespace Simian.Sandbox;

/// <summary>A block of look-alike instances for scale tests, with deterministic ids.</summary>
public sealed class FleetInstanceGenerator
{
    public int Count { get; set; }

    public string Type { get; set; } = "t3.micro";

    /// <summary>Instances are spread round-robin over these zones; defaults to the region's "a" zone.</summary>
    public List<string> Zones { get; } = [];

    public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// When above zero, instances are spread round-robin over this many Auto Scaling groups named
    /// <c>{app tag or genN}-asg-01..</c> through the <c>aws:autoscaling:groupName</c> tag.
    /// </summary>
    public int Asgs { get; set; }

    public string State { get; set; } = "running";

    /// <summary>When above zero, every SpotEvery-th instance (the last of each run) is a Spot instance.</summary>
    public int SpotEvery { get; set; }

    public string VpcId { get; set; } = "vpc-0sandbox0000000001";

    public string ImageId { get; set; } = "ami-0sandbox0000000001";
}
