namespace Simian.Sandbox.Ec2;

/// <summary>One page of DescribeInstances: the matching instances and where the next page starts, if any.</summary>
internal sealed record DescribePage(IReadOnlyList<InstanceView> Instances, int? NextIndex);
