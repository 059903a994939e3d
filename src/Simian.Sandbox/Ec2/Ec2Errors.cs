namespace Simian.Sandbox.Ec2;

/// <summary>EC2's error codes, with the messages the real API uses.</summary>
internal static class Ec2Errors
{
    public static AwsErrorException NotFound(IReadOnlyList<string> ids) => ids.Count == 1
        ? new(400, "InvalidInstanceID.NotFound", $"The instance ID '{ids[0]}' does not exist")
        : new(400, "InvalidInstanceID.NotFound", $"The instance IDs '{string.Join(", ", ids)}' do not exist");

    public static AwsErrorException Malformed(string id) =>
        new(400, "InvalidInstanceID.Malformed", $"Invalid id: \"{id}\"");

    public static AwsErrorException IncorrectState(string id, string verb) =>
        new(400, "IncorrectInstanceState", $"This instance '{id}' is not in a state from which it can be {verb}.");

    public static AwsErrorException SpotStop(string id) => new(
        400,
        "UnsupportedOperation",
        $"You can't stop the Spot Instance '{id}' because it is associated with a one-time Spot Instance request. "
        + "You can only stop Spot Instances associated with persistent Spot Instance requests.");

    public static AwsErrorException InvalidParameterValue(string message) => new(400, "InvalidParameterValue", message);

    public static AwsErrorException DryRun() =>
        new(412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.");
}
