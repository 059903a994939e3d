using System.Text.Json.Serialization;

namespace Simian.Proxy;

/// <summary>Source-generated JSON for the control API, so neither side needs reflection (Native AOT).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(ProxyInfo))]
[JsonSerializable(typeof(ToxicInfo))]
[JsonSerializable(typeof(ProxyListResponse))]
[JsonSerializable(typeof(ToxicListResponse))]
[JsonSerializable(typeof(CreateProxyRequest))]
[JsonSerializable(typeof(AddToxicRequest))]
[JsonSerializable(typeof(HeartbeatRequest))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(HealthResponse))]
internal sealed partial class ControlJsonContext : JsonSerializerContext
{
}
