namespace Simian.Sandbox.Auth;

/// <summary>What is needed to check the per-chunk signatures of a signed aws-chunked body.</summary>
internal sealed record ChunkSigningContext(byte[] SigningKey, string AmzDate, string Scope, string SeedSignature);
