using System.Text.Json;
using Simian.Sandbox.Faults;
using Simian.Sandbox.Http;

namespace Simian.Sandbox.Admin;

/// <summary>
/// The sandbox's own loopback endpoints: <c>GET /_sandbox/state</c> dumps the live state as JSON;
/// <c>GET|POST /_sandbox/faults</c> reads or sets <c>{"throttleRate": x, "errorRate": y}</c>;
/// <c>POST /_sandbox/capacity</c> takes <c>{"instanceType": "t3.small", "available": false}</c> (starts of that type
/// then fall back to stopped with Server.InsufficientInstanceCapacity).
/// </summary>
internal sealed class AdminService
{
    public const string PathPrefix = "/_sandbox/";

    private readonly SandboxState _state;
    private readonly FaultInjector _faults;

    public AdminService(SandboxState state, FaultInjector faults)
    {
        _state = state;
        _faults = faults;
    }

    public SandboxResponse Handle(SandboxRequest request)
    {
        var response = (request.Method, request.Path) switch
        {
            ("GET", "/_sandbox/state") => Json(200, _state.WriteJson),
            ("GET", "/_sandbox/faults") => Faults(200),
            ("POST", "/_sandbox/faults") => SetFaults(request),
            ("POST", "/_sandbox/capacity") => SetCapacity(request),
            (_, "/_sandbox/state" or "/_sandbox/faults" or "/_sandbox/capacity") => Problem(405, "method not allowed"),
            _ => Problem(404, "unknown admin endpoint; known: GET /_sandbox/state, GET|POST /_sandbox/faults, POST /_sandbox/capacity"),
        };
        response.Action = "admin";
        return response;
    }

    private SandboxResponse SetFaults(SandboxRequest request)
    {
        var current = _faults.Current;
        try
        {
            using var document = JsonDocument.Parse(request.Body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Problem(400, "expected a JSON object such as {\"throttleRate\": 0.1, \"errorRate\": 0}");
            }

            var faults = new SandboxFaults(
                root.TryGetProperty("throttleRate", out var throttle) ? throttle.GetDouble() : current.ThrottleRate,
                root.TryGetProperty("errorRate", out var error) ? error.GetDouble() : current.ErrorRate);
            if (faults.Problem() is { } problem)
            {
                return Problem(400, problem);
            }

            _faults.Set(faults);
            return Faults(200);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return Problem(400, "invalid JSON: " + e.Message);
        }
    }

    private SandboxResponse SetCapacity(SandboxRequest request)
    {
        try
        {
            using var document = JsonDocument.Parse(request.Body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("instanceType", out var type) || type.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("available", out var available) || available.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return Problem(400, "expected {\"instanceType\": \"t3.small\", \"available\": false}");
            }

            _state.SetCapacity(type.GetString()!, available.GetBoolean());
            return Json(200, w =>
            {
                w.WriteStartObject();
                w.WriteString("instanceType", type.GetString());
                w.WriteBoolean("available", available.GetBoolean());
                w.WriteEndObject();
            });
        }
        catch (JsonException e)
        {
            return Problem(400, "invalid JSON: " + e.Message);
        }
    }

    private SandboxResponse Faults(int status)
    {
        var faults = _faults.Current;
        return Json(status, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("throttleRate", faults.ThrottleRate);
            w.WriteNumber("errorRate", faults.ErrorRate);
            w.WriteEndObject();
        });
    }

    private static SandboxResponse Problem(int status, string message) => Json(status, w =>
    {
        w.WriteStartObject();
        w.WriteString("error", message);
        w.WriteEndObject();
    });

    private static SandboxResponse Json(int status, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            write(writer);
        }

        return SandboxResponse.Json(status, buffer.ToArray());
    }
}
