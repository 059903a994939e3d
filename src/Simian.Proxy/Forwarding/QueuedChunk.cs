namespace Simian.Proxy;

/// <summary>A chunk waiting between a stream's reader and its writer; a null Buffer marks the end of the stream.</summary>
internal readonly record struct QueuedChunk(byte[]? Buffer, int Length, long Timestamp);
