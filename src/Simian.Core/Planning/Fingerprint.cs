using System.Security.Cryptography;
using System.Text;

namespace Simian.Core.Planning;

/// <summary>SHA-256 over the profile's canonical content and the selected target ids.</summary>
public static class Fingerprint
{
    public static string Compute(string canonicalContent, IEnumerable<TargetPlan> targets)
    {
        var text = new StringBuilder(canonicalContent);
        foreach (var t in targets.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            text.Append('\n').Append(t.Name).Append(':');
            text.AppendJoin(',', t.Selected.Select(r => r.Id).OrderBy(id => id, StringComparer.Ordinal));
        }
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
