using Quarry.Documents;

namespace Quarry.Privacy;

/// <summary>
/// Masks text that arrives in pieces (answer deltas), so a value split across pieces is still masked. What is sent is
/// cut after whitespace, before the trailing words that could still be part of a value: the last word (it may grow)
/// and the words before it that look like parts of one (digits, short upper-case groups such as IBAN or NI number
/// parts, "+" or brackets). Values span several words only through such parts, so everything before the cut is final.
/// A value detected across the cut also waits whole. With a configured pattern that can span ordinary words, the last
/// <see cref="Holdback"/> characters are held as well. The concatenated output equals masking the whole text.
/// </summary>
public sealed class StreamingPiiMasker
{
    /// <summary>Longer than any phone, card, IBAN or address, and most e-mail addresses.</summary>
    public const int Holdback = 96;
    private readonly PrivacyMasker _masker;
    private readonly TenantId _tenant;
    private readonly bool _holdFixed;
    private string _pending = "";

    internal StreamingPiiMasker(PrivacyMasker masker, TenantId tenant, bool holdFixed)
    {
        _masker = masker;
        _tenant = tenant;
        _holdFixed = holdFixed;
    }

    /// <summary>Adds a piece; returns the masked text that is now safe to send (possibly empty).</summary>
    public string Push(string piece)
    {
        ArgumentNullException.ThrowIfNull(piece);
        _pending += piece;
        var cut = StartOfOpenWords(_pending);
        if (_holdFixed) cut = Math.Min(cut, _pending.Length - Holdback);
        if (cut <= 0) return "";
        var matches = _masker.Detect(_pending);
        while (true)
        {
            while (cut > 0 && !char.IsWhiteSpace(_pending[cut - 1])) cut--;
            var through = matches.FirstOrDefault(m => m.Start < cut && m.End > cut);
            if (through is null) break;
            cut = through.Start;
        }
        if (cut <= 0) return "";
        var ready = _pending[..cut];
        _pending = _pending[cut..];
        return _masker.Mask(ready, _tenant);
    }

    private static int StartOfOpenWords(string text)
    {
        var start = text.Length;
        while (start > 0 && !char.IsWhiteSpace(text[start - 1])) start--;
        while (start > 0)
        {
            var wordEnd = start;
            while (wordEnd > 0 && char.IsWhiteSpace(text[wordEnd - 1])) wordEnd--;
            // No value runs across a line break.
            if (text.AsSpan(wordEnd, start - wordEnd).Contains('\n')) break;
            var wordStart = wordEnd;
            while (wordStart > 0 && !char.IsWhiteSpace(text[wordStart - 1])) wordStart--;
            if (wordStart == wordEnd || !CouldBePartOfValue(text.AsSpan(wordStart, wordEnd - wordStart))) break;
            start = wordStart;
        }
        return start;
    }

    private static bool CouldBePartOfValue(ReadOnlySpan<char> word)
    {
        var allUpperOrDigit = word.Length <= 4;
        foreach (var c in word)
        {
            if (char.IsAsciiDigit(c) || c is '+' or '(' or ')') return true;
            if (!char.IsAsciiLetterUpper(c)) allUpperOrDigit = false;
        }
        return allUpperOrDigit;
    }

    /// <summary>The rest, masked, at the end of the stream.</summary>
    public string Flush()
    {
        var rest = _pending;
        _pending = "";
        return rest.Length == 0 ? "" : _masker.Mask(rest, _tenant);
    }
}
