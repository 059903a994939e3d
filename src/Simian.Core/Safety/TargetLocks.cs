using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Simian.Core.Providers;

namespace Simian.Core.Safety;

/// <summary>Who holds a target lock: the process that bound it, as the kernel reports it (SO_PEERCRED).</summary>
public sealed record LockHolder(int Pid, uint Uid)
{
    public override string ToString() => Pid > 0
        ? $"pid {Pid.ToString(CultureInfo.InvariantCulture)}, uid {Uid.ToString(CultureInfo.InvariantCulture)}"
        : "a process that could not be asked";
}

/// <summary>
/// Machine-wide per-resource locks, so that two runs never hold the same target — whatever their state folders,
/// HOME or XDG settings, and whoever runs them. Each lock is a listening Unix socket in Linux's abstract namespace
/// (no file, so no permissions or stale files to get wrong): binding it is atomic, the kernel releases it when the
/// process dies (even by SIGKILL), and a connection to it tells who holds it. The namespace is per network
/// namespace, so runs in separate containers do not see each other's locks.
/// </summary>
/// <param name="namespace">Tells lock sets apart that must not meet (tests running side by side); runs use the default.</param>
public sealed class TargetLocks(string @namespace = "") : IDisposable
{
    private readonly Dictionary<string, Socket> _held = new(StringComparer.Ordinal);

    /// <summary>Whether another process holds the lock on this resource; null when it is free or ours.</summary>
    public LockHolder? HeldByOther(string type, Resource resource)
    {
        var name = Name(type, resource);
        lock (_held)
        {
            if (_held.ContainsKey(name)) return null;
        }
        return Holder(name);
    }

    /// <summary>Takes every lock or none; returns the ones another run holds, with who holds them.</summary>
    public IReadOnlyList<string> TryAcquireAll(IEnumerable<(string Type, Resource Resource)> targets)
    {
        var taken = new List<string>();
        var busy = new List<string>();
        foreach (var (type, resource) in targets)
        {
            var name = Name(type, resource);
            lock (_held)
            {
                if (_held.ContainsKey(name)) continue;
            }
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                socket.Bind(new UnixDomainSocketEndPoint(name));
                socket.Listen(16);
                lock (_held) _held[name] = socket;
                taken.Add(name);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                socket.Dispose();
                busy.Add($"{type} {resource.Id} ({Holder(name) ?? new LockHolder(0, 0)})");
            }
        }
        if (busy.Count > 0)
        {
            foreach (var name in taken) Release(name);
        }
        return busy;
    }

    public void ReleaseAll()
    {
        string[] names;
        lock (_held) names = _held.Keys.ToArray();
        foreach (var name in names) Release(name);
    }

    public void Dispose() => ReleaseAll();

    private void Release(string name)
    {
        Socket? socket;
        lock (_held)
        {
            if (!_held.Remove(name, out socket)) return;
        }
        socket.Dispose();
    }

    private static LockHolder? Holder(string name)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { Blocking = false };
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(name));
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable)
        {
            return null;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.TryAgain)
        {
            // The holder's backlog is full of other askers: held, by someone we cannot name.
            return new LockHolder(0, 0);
        }
        Span<byte> credentials = stackalloc byte[12];
        probe.GetRawSocketOption(1 /* SOL_SOCKET */, 17 /* SO_PEERCRED */, credentials);
        return new LockHolder(BitConverter.ToInt32(credentials[..4]), BitConverter.ToUInt32(credentials[4..8]));
    }

    /// <summary>The lock's name: a hash of where the resource lives, its type and its id.</summary>
    private string Name(string type, Resource resource)
    {
        var key = $"{@namespace}\u0000{type}\u0000{resource.Scope}\u0000{resource.Id}";
        return "\0simian/target-lock/" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..40];
    }
}
