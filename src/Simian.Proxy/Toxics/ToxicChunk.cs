namespace Simian.Proxy;

/// <summary>Bytes read from one side; Timestamp (TimeProvider ticks) is when they became available to this stage.</summary>
internal readonly record struct ToxicChunk(ReadOnlyMemory<byte> Data, long Timestamp);
