using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Quarry.Privacy;

/// <summary>
/// The built-in recognizers: a pattern finds candidates, a validator (checksum, issuer, number plan, octet range)
/// keeps only values that can be real. Shape alone is not enough: versions, dates, prices, ISBNs and order numbers
/// share shapes with phone numbers, cards and addresses.
/// </summary>
internal static partial class PiiRecognizers
{
    public static IEnumerable<PiiMatch> Find(string text, PiiKind kind) => kind switch
    {
        PiiKind.Email => Matches(EmailPattern(), text, kind, "EMAIL", static (_, _) => true),
        PiiKind.Phone => Matches(PhonePattern(), text, kind, "PHONE", IsPhone),
        PiiKind.PaymentCard => Matches(CardPattern(), text, kind, "CARD", static (value, _) => IsCard(value)),
        PiiKind.Iban => Matches(IbanPattern(), text, kind, "IBAN", static (value, _) => Checksums.Iban(value.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant())),
        PiiKind.NationalId => Matches(SsnPattern(), text, kind, "NATIONAL_ID", static (_, _) => true)
            .Concat(Matches(NinoPattern(), text, kind, "NATIONAL_ID", static (_, _) => true)),
        PiiKind.IpAddress => Matches(Ipv4Pattern(), text, kind, "IP", IsIpv4).Concat(Matches(Ipv6Pattern(), text, kind, "IP", static (value, _) => IsIpv6(value))),
        _ => [],
    };

    private static IEnumerable<PiiMatch> Matches(Regex pattern, string text, PiiKind kind, string label, Func<string, (string Text, int Index), bool> valid)
    {
        foreach (Match m in pattern.Matches(text))
        {
            if (valid(m.Value, (text, m.Index))) yield return new PiiMatch(kind, m.Index, m.Length, m.Value, label);
        }
    }

    private static bool IsCard(string value)
    {
        var digits = Checksums.DigitsOnly(value);
        return digits.Length is >= 13 and <= 19 && Checksums.CardIssuer(digits) && Checksums.Luhn(digits);
    }

    private static bool IsPhone(string value, (string Text, int Index) at)
    {
        var digits = Checksums.DigitCount(value);
        // A one-digit last group is a check digit (ISBN-10, account numbers), not how phone numbers are written.
        var lastSeparator = value.LastIndexOfAny([' ', '.', '-']);
        if (lastSeparator >= 0 && value.Length - lastSeparator - 1 < 2) return false;
        if (value.StartsWith('+')) return digits is >= 8 and <= 15;
        if (DatePattern().IsMatch(value) || digits is < 9 or > 12) return false;
        var compact = Checksums.DigitsOnly(value);
        // Without a country code: a national trunk prefix 0 (most of Europe, UK, Australia) or the North American plan
        // (area and exchange codes start with 2–9), written with separators as people write phone numbers.
        if (compact[0] == '0') return compact.Length is >= 10 and <= 11 && compact[1] != '0' && !value.Contains('.', StringComparison.Ordinal) || FrenchStyle().IsMatch(value);
        return NorthAmerican().IsMatch(value);
    }

    private static bool IsIpv4(string value, (string Text, int Index) at)
    {
        // "version 10.2.0.1" and "v1.2.3.4" are software versions, not hosts.
        var before = at.Text.AsSpan(Math.Max(0, at.Index - 12), Math.Min(12, at.Index)).ToString();
        return !VersionContext().IsMatch(before) && IPAddress.TryParse(value, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork
            && !Impersonal(ip);
    }

    /// <summary>Loopback, "any" and broadcast addresses fill documentation ("--host 0.0.0.0", "127.0.0.1:8000") and
    /// point at no one.</summary>
    private static bool Impersonal(IPAddress ip) =>
        IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.Broadcast) || ip.Equals(IPAddress.IPv6Any);

    private static bool IsIpv6(string value) =>
        value.Count(c => c == ':') >= 2 && IPAddress.TryParse(value, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6
        && (value.Contains("::", StringComparison.Ordinal) || value.Count(c => c == ':') == 7) && !Impersonal(ip);

    [GeneratedRegex(@"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])", RegexOptions.CultureInvariant, 250)]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"(?<![\w+.,/-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d{1,8}(?:[ .-]\d{1,8}){0,5}(?![\w,/-]|\.\d)", RegexOptions.CultureInvariant, 250)]
    private static partial Regex PhonePattern();

    [GeneratedRegex(@"^\(?[2-9]\d{2}\)?[ .-]?[2-9]\d{2}[ .-]\d{4}$|^1[ .-]\(?[2-9]\d{2}\)?[ .-]?[2-9]\d{2}[ .-]\d{4}$", RegexOptions.CultureInvariant)]
    private static partial Regex NorthAmerican();

    [GeneratedRegex(@"^0[1-9](?:[ .]\d{2}){4}$", RegexOptions.CultureInvariant)]
    private static partial Regex FrenchStyle();

    [GeneratedRegex(@"^\d{4}[-./ ]\d{1,2}[-./ ]\d{1,2}$|^\d{1,2}[-./ ]\d{1,2}[-./ ]\d{2,4}$", RegexOptions.CultureInvariant)]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])", RegexOptions.CultureInvariant, 250)]
    private static partial Regex CardPattern();

    [GeneratedRegex(@"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![\w])", RegexOptions.CultureInvariant, 250)]
    private static partial Regex IbanPattern();

    // US Social Security numbers as written (with dashes): no 000, 666 or 9xx area, no 00 group, no 0000 serial.
    [GeneratedRegex(@"(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])", RegexOptions.CultureInvariant, 250)]
    private static partial Regex SsnPattern();

    // UK National Insurance numbers: the letter rules of HMRC's allocation (no D, F, I, Q, U, V; second letter not O).
    [GeneratedRegex(@"(?<![\w])(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w])", RegexOptions.CultureInvariant, 250)]
    private static partial Regex NinoPattern();

    [GeneratedRegex(@"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w]|\.\d)", RegexOptions.CultureInvariant, 250)]
    private static partial Regex Ipv4Pattern();

    [GeneratedRegex(@"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])", RegexOptions.CultureInvariant, 250)]
    private static partial Regex Ipv6Pattern();

    [GeneratedRegex(@"(?:\bv|version|release|build|ver\.?)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex VersionContext();
}
