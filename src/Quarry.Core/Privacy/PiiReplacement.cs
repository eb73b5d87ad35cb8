using System.Security.Cryptography;
using System.Text;

namespace Quarry.Privacy;

/// <summary>What a recognised value becomes, per <see cref="MaskStyle"/>.</summary>
internal sealed class PiiReplacement(MaskStyle style, byte[] pseudonymKey)
{
    public string For(PiiMatch match, string tenant) => style switch
    {
        MaskStyle.Partial => Partial(match),
        MaskStyle.Pseudonym => Pseudonym(match, tenant),
        _ => "[" + match.Label + "]",
    };

    private string Pseudonym(PiiMatch match, string tenant)
    {
        // Keyed per tenant: the same value gets the same name within a tenant and an unrelated one elsewhere.
        var normalized = match.Kind is PiiKind.Email or PiiKind.Iban or PiiKind.NationalId or PiiKind.Custom
            ? match.Value.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant()
            : Checksums.DigitsOnly(match.Value) is { Length: > 0 } digits && match.Kind != PiiKind.IpAddress ? digits : match.Value.ToUpperInvariant();
        var mac = HMACSHA256.HashData(pseudonymKey, Encoding.UTF8.GetBytes(tenant + "\0" + match.Label + "\0" + normalized));
        return "[" + match.Label + "_" + Convert.ToHexStringLower(mac, 0, 4) + "]";
    }

    private static string Partial(PiiMatch match)
    {
        var value = match.Value;
        switch (match.Kind)
        {
            case PiiKind.Email:
                var at = value.IndexOf('@', StringComparison.Ordinal);
                return value[0] + "***" + value[at..];
            case PiiKind.IpAddress:
                var dot = value.IndexOf('.', value.IndexOf('.', StringComparison.Ordinal) + 1);
                return dot > 0 ? value[..dot] + ".*.*" : value[..Math.Min(4, value.Length)] + ":*";
            case PiiKind.Iban:
                return KeepEnds(value, keepStart: 2, keepEnd: 4);
            case PiiKind.PaymentCard or PiiKind.NationalId:
                return KeepEnds(value, keepStart: 0, keepEnd: 4);
            case PiiKind.Phone:
                return KeepEnds(value, keepStart: 0, keepEnd: 2);
            default:
                return value[0] + new string('*', Math.Max(3, value.Length - 1));
        }
    }

    /// <summary>Replaces letters and digits with '*' except the first and last few, keeping separators so the shape
    /// stays readable (<c>**** **** **** 1111</c>).</summary>
    private static string KeepEnds(string value, int keepStart, int keepEnd)
    {
        var chars = value.ToCharArray();
        var significant = chars.Count(char.IsLetterOrDigit);
        var seen = 0;
        for (var i = 0; i < chars.Length; i++)
        {
            if (!char.IsLetterOrDigit(chars[i])) continue;
            if (seen >= keepStart && seen < significant - keepEnd) chars[i] = '*';
            seen++;
        }
        return new string(chars);
    }
}
