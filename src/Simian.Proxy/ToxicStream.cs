using System.Text.Json.Serialization;

namespace Simian.Proxy;

/// <summary>Which direction of a proxied connection a toxic acts on.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ToxicStream>))]
public enum ToxicStream
{
    /// <summary>Upstream server to client (the default, as in Toxiproxy).</summary>
    [JsonStringEnumMemberName("downstream")]
    Downstream,

    /// <summary>Client to upstream server.</summary>
    [JsonStringEnumMemberName("upstream")]
    Upstream,
}
