namespace Quarry.Privacy;

/// <summary>The check digits that tell a real identifier from a number of the same shape.</summary>
internal static class Checksums
{
    public static bool Luhn(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubled = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubled && (d *= 2) > 9) d -= 9;
            sum += d;
            doubled = !doubled;
        }
        return sum % 10 == 0;
    }

    /// <summary>ISO 13616: the country's length, then mod 97 of the rearranged number is 1.</summary>
    public static bool Iban(string compact)
    {
        if (compact.Length < 15 || !IbanLengths.TryGetValue(compact[..2], out var length) || compact.Length != length) return false;
        var rearranged = compact[4..] + compact[..4];
        var remainder = 0;
        foreach (var c in rearranged)
        {
            var value = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetterUpper(c) ? c - 'A' + 10 : -1;
            if (value < 0) return false;
            remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
        }
        return remainder == 1;
    }

    /// <summary>Issuer prefixes and lengths of the card networks in use (ISO/IEC 7812): a Luhn-valid number outside
    /// them (an ISBN-13, a parcel number) is not a card.</summary>
    public static bool CardIssuer(string d)
    {
        int Prefix(int n) => int.Parse(d.AsSpan(0, n), System.Globalization.CultureInfo.InvariantCulture);
        var length = d.Length;
        return d[0] switch
        {
            '4' => length is 13 or 16 or 19,
            '5' => Prefix(2) is >= 51 and <= 55 && length == 16,
            '2' => Prefix(4) is >= 2221 and <= 2720 && length == 16,
            '3' => (Prefix(2) is 34 or 37 && length == 15)
                || (Prefix(4) is >= 3528 and <= 3589 && length is >= 16 and <= 19)
                || ((Prefix(2) is 36 or 38 || Prefix(3) is >= 300 and <= 305) && length is 14 or 16),
            '6' => (Prefix(4) == 6011 || Prefix(2) == 65 || Prefix(3) is >= 644 and <= 649 || Prefix(2) == 62) && length is >= 16 and <= 19,
            _ => false,
        };
    }

    private static readonly Dictionary<string, int> IbanLengths = new(StringComparer.Ordinal)
    {
        ["AD"] = 24, ["AE"] = 23, ["AT"] = 20, ["BA"] = 20, ["BE"] = 16, ["BG"] = 22, ["BH"] = 22, ["BR"] = 29, ["CH"] = 21,
        ["CY"] = 28, ["CZ"] = 24, ["DE"] = 22, ["DK"] = 18, ["EE"] = 20, ["ES"] = 24, ["FI"] = 18, ["FO"] = 18, ["FR"] = 27,
        ["GB"] = 22, ["GI"] = 23, ["GL"] = 18, ["GR"] = 27, ["HR"] = 21, ["HU"] = 28, ["IE"] = 22, ["IL"] = 23, ["IS"] = 26,
        ["IT"] = 27, ["KW"] = 30, ["KZ"] = 20, ["LB"] = 28, ["LI"] = 21, ["LT"] = 20, ["LU"] = 20, ["LV"] = 21, ["MC"] = 27,
        ["MT"] = 31, ["NL"] = 18, ["NO"] = 15, ["PK"] = 24, ["PL"] = 28, ["PT"] = 25, ["QA"] = 29, ["RO"] = 24, ["RS"] = 22,
        ["SA"] = 24, ["SE"] = 24, ["SI"] = 19, ["SK"] = 24, ["SM"] = 27, ["TN"] = 24, ["TR"] = 26, ["UA"] = 29,
    };

    internal static int DigitCount(ReadOnlySpan<char> text)
    {
        var n = 0;
        foreach (var c in text) if (char.IsAsciiDigit(c)) n++;
        return n;
    }

    internal static string DigitsOnly(ReadOnlySpan<char> text)
    {
        var buffer = new char[text.Length];
        var n = 0;
        foreach (var c in text) if (char.IsAsciiDigit(c)) buffer[n++] = c;
        return new string(buffer, 0, n);
    }

}
