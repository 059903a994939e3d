namespace Simian.Sandbox.Auth;

/// <summary>The outcome of checking one SigV4 signature, with what was signed for error messages.</summary>
internal sealed record SigV4Check(bool Valid, byte[] SigningKey, string CanonicalRequest, string StringToSign);
