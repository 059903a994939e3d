namespace Simian.Sandbox;

/// <summary>An AWS-style error a service handler raises; each service renders it in its own wire shape.</summary>
internal sealed class AwsErrorException : Exception
{
    public AwsErrorException(int status, string code, string message, params (string Name, string Value)[] details)
        : base(message)
    {
        Status = status;
        Code = code;
        Details = details;
    }

    public int Status { get; }

    public string Code { get; }

    /// <summary>Extra elements some services add to the error body (S3's BucketName, Key, StringToSign...).</summary>
    public IReadOnlyList<(string Name, string Value)> Details { get; }
}
