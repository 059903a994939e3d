using System.Security.Cryptography;
using System.Text;

namespace Simian.Core.Safety;

/// <summary>
/// Exclusive per-resource lock files so two runs never hold the same target. The operating system releases
/// them when the process dies, even by SIGKILL, so a crash never leaves a target locked.
/// </summary>
public sealed class TargetLocks(string directory)
{
    private readonly Dictionary<string, FileStream> _held = new(StringComparer.Ordinal);

    public string Directory => directory;

    public bool IsHeldByOther(string type, string id)
    {
        var key = Key(type, id);
        lock (_held)
        {
            if (_held.ContainsKey(key)) return false;
        }
        var path = PathFor(key);
        if (!File.Exists(path)) return false;
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>Takes every lock or none; returns the ones that another run holds.</summary>
    public IReadOnlyList<string> TryAcquireAll(IEnumerable<(string Type, string Id)> targets, string runId)
    {
        System.IO.Directory.CreateDirectory(directory);
        var taken = new List<string>();
        var busy = new List<string>();
        foreach (var (type, id) in targets)
        {
            var key = Key(type, id);
            lock (_held)
            {
                if (_held.ContainsKey(key)) continue;
            }
            try
            {
                var stream = new FileStream(PathFor(key), new FileStreamOptions
                {
                    Mode = FileMode.OpenOrCreate,
                    Access = FileAccess.ReadWrite,
                    Share = FileShare.None,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
                stream.SetLength(0);
                stream.Write(Encoding.UTF8.GetBytes($"{runId} {Environment.ProcessId} {type} {id}\n"));
                stream.Flush();
                lock (_held) _held[key] = stream;
                taken.Add(key);
            }
            catch (IOException)
            {
                busy.Add($"{type} {id}");
            }
        }
        if (busy.Count > 0)
        {
            foreach (var key in taken) Release(key);
        }
        return busy;
    }

    public void ReleaseAll()
    {
        string[] keys;
        lock (_held) keys = _held.Keys.ToArray();
        foreach (var key in keys) Release(key);
    }

    private void Release(string key)
    {
        FileStream? stream;
        lock (_held)
        {
            if (!_held.Remove(key, out stream)) return;
        }
        // The file stays: deleting it would race with another run that opened it between our close and delete.
        stream.Dispose();
    }

    private string PathFor(string key) => Path.Combine(directory, key + ".lock");

    private static string Key(string type, string id) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(type + "\u0000" + id)))[..32];
}
