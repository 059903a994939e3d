namespace Simian.Proxy;

/// <summary>Body of every non-success response.</summary>
internal sealed record ErrorResponse(string Error);
