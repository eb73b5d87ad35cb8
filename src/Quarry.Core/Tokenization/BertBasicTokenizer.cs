using System.Buffers;
using System.Globalization;
using System.Text;

namespace Quarry.Tokenization;

/// <summary>
/// Hugging Face's BERT <c>BasicTokenizer</c> as a streaming enumerator over its output pieces, so that counting tokens
/// allocates nothing per word: clean the text (drop NUL, U+FFFD and control characters), isolate CJK ideographs, split
/// on whitespace, lower-case and strip accents (NFD, drop Mn), then split on punctuation. Each piece is then handed to
/// WordPiece by the caller.
/// </summary>
internal ref struct BertBasicTokenizer
{
    private const byte Letter = 0, Space = 1, Drop = 2, Punct = 3;

    // Classes of the 128 ASCII characters: the hot path never decodes runes or looks up Unicode categories.
    private static readonly byte[] AsciiClass = BuildAsciiClasses();

    private readonly ReadOnlySpan<char> _text;
    private readonly bool _lowerCase;
    private readonly bool _stripAccents;
    private Span<char> _raw;
    private Span<char> _normalized;
    private char[]? _rentedRaw;
    private char[]? _rentedNormalized;
    private int _position;
    private ReadOnlySpan<char> _word;
    private int _wordPosition;

    /// <param name="stripAccents">NFD then drop non-spacing marks; Hugging Face ties it to lower-casing unless the
    /// tokenizer configuration says otherwise.</param>
    /// <param name="scratch">Working memory (e.g. stack-allocated); longer words fall back to pooled arrays.</param>
    public BertBasicTokenizer(ReadOnlySpan<char> text, bool lowerCase, bool stripAccents, Span<char> scratch)
    {
        _text = text;
        _lowerCase = lowerCase;
        _stripAccents = stripAccents;
        var half = scratch.Length / 2;
        _raw = scratch[..half];
        _normalized = scratch[half..];
    }

    /// <summary>The current piece: a run of non-punctuation characters or one punctuation character.</summary>
    public ReadOnlySpan<char> Current { get; private set; }

    public bool MoveNext()
    {
        while (_wordPosition >= _word.Length)
        {
            if (!ReadWord()) return false;
        }
        Current = NextPiece();
        return true;
    }

    public void Dispose()
    {
        if (_rentedRaw is not null) ArrayPool<char>.Shared.Return(_rentedRaw);
        if (_rentedNormalized is not null) ArrayPool<char>.Shared.Return(_rentedNormalized);
        _rentedRaw = _rentedNormalized = null;
    }

    /// <summary>Splits the current word on punctuation: each punctuation character is a piece of its own.</summary>
    private ReadOnlySpan<char> NextPiece()
    {
        var start = _wordPosition;
        var width = RuneWidth(_word, start, out var punct);
        if (punct)
        {
            _wordPosition += width;
            return _word.Slice(start, width);
        }
        var end = start + width;
        while (end < _word.Length)
        {
            width = RuneWidth(_word, end, out punct);
            if (punct) break;
            end += width;
        }
        _wordPosition = end;
        return _word[start..end];
    }

    private static int RuneWidth(ReadOnlySpan<char> word, int index, out bool punctuation)
    {
        var ch = word[index];
        if (ch < 128)
        {
            punctuation = AsciiClass[ch] == Punct;
            return 1;
        }
        Rune.DecodeFromUtf16(word[index..], out var rune, out var consumed);
        punctuation = IsUnicodePunctuation(Rune.GetUnicodeCategory(rune));
        return consumed;
    }

    /// <summary>
    /// Reads the next whitespace-delimited word (a CJK ideograph is a word of its own), cleaned, and normalizes it into
    /// <see cref="_word"/>, which may end up empty. Returns false at the end of the text.
    /// </summary>
    private bool ReadWord()
    {
        _word = default;
        _wordPosition = 0;
        var text = _text;
        var i = _position;

        // Skip separators and dropped characters up to the first character of a word.
        var start = -1;
        var startWidth = 0;
        while (i < text.Length)
        {
            var ch = text[i];
            if (ch < 128)
            {
                if (AsciiClass[ch] is Space or Drop) { i++; continue; }
                start = i;
                startWidth = 1;
                break;
            }
            var kind = Classify(text, i, out var width);
            if (kind is CharKind.Space or CharKind.Drop) { i += width; continue; }
            start = i;
            startWidth = width;
            if (kind == CharKind.Cjk)
            {
                _position = i + width;
                Normalize(text.Slice(i, width), ascii: false);
                return true;
            }
            break;
        }
        if (start < 0)
        {
            _position = text.Length;
            return false;
        }

        // Extent of the word: up to whitespace, a CJK ideograph or the end.
        var end = start + startWidth;
        var ascii = text[start] < 128;
        var hasDropped = false;
        while (end < text.Length)
        {
            var ch = text[end];
            if (ch < 128)
            {
                var cls = AsciiClass[ch];
                if (cls == Space) break;
                hasDropped |= cls == Drop;
                end++;
                continue;
            }
            var kind = Classify(text, end, out var width);
            if (kind is CharKind.Space or CharKind.Cjk) break;
            hasDropped |= kind == CharKind.Drop;
            ascii = false;
            end += width;
        }
        _position = end;
        var raw = text[start..end];
        if (hasDropped) raw = RemoveDropped(raw);
        // The word may normalize to nothing (a lone combining mark): MoveNext then reads on.
        Normalize(raw, ascii);
        return true;
    }

    private ReadOnlySpan<char> RemoveDropped(ReadOnlySpan<char> raw)
    {
        var buffer = EnsureRaw(raw.Length);
        var n = 0;
        for (var i = 0; i < raw.Length;)
        {
            var ch = raw[i];
            if (ch < 128)
            {
                if (AsciiClass[ch] != Drop) buffer[n++] = ch;
                i++;
                continue;
            }
            var kind = Classify(raw, i, out var width);
            if (kind != CharKind.Drop) raw.Slice(i, width).CopyTo(buffer[n..]);
            if (kind != CharKind.Drop) n += width;
            i += width;
        }
        return buffer[..n];
    }

    /// <summary>Lower-cases and strips accents (NFD, then drop non-spacing marks) when configured.</summary>
    private void Normalize(ReadOnlySpan<char> raw, bool ascii)
    {
        if (!_lowerCase && (ascii || !_stripAccents))
        {
            _word = raw;
            return;
        }
        if (ascii)
        {
            // raw may already live in _raw (after RemoveDropped); lower-casing in place is safe.
            var lowered = EnsureNormalized(raw.Length);
            Ascii.ToLower(raw, lowered, out var written);
            _word = lowered[..written];
            return;
        }

        // Accents first, then case, as the Rust BertNormalizer does: "İ" decomposes to "I" + U+0307 and lower-cases to
        // "i", whereas .NET's invariant lower-casing alone would keep "İ".
        // The decomposed word always lands in the second buffer, since raw may live in the first one.
        Span<char> decomposed;
        if (!_stripAccents || raw.IsNormalized(NormalizationForm.FormD))
        {
            decomposed = EnsureNormalized(raw.Length)[..raw.Length];
            raw.CopyTo(decomposed);
        }
        else
        {
            var length = raw.GetNormalizedLength(NormalizationForm.FormD);
            var target = EnsureNormalized(length);
            if (!raw.TryNormalize(target, out length, NormalizationForm.FormD))
            {
                throw new InvalidOperationException("NFD normalization did not fit its computed length.");
            }
            decomposed = target[..length];
        }

        // Simple case mappings keep the UTF-16 length in practice; twice the room makes that a non-question.
        var lower = EnsureRaw(decomposed.Length * 2);
        var n = 0;
        for (var i = 0; i < decomposed.Length;)
        {
            Rune.DecodeFromUtf16(decomposed[i..], out var rune, out var consumed);
            i += consumed;
            if (_stripAccents && Rune.GetUnicodeCategory(rune) == UnicodeCategory.NonSpacingMark) continue;
            n += (_lowerCase ? Rune.ToLowerInvariant(rune) : rune).EncodeToUtf16(lower[n..]);
        }
        _word = lower[..n];
    }

    private Span<char> EnsureRaw(int length)
    {
        if (_raw.Length >= length) return _raw;
        if (_rentedRaw is not null) ArrayPool<char>.Shared.Return(_rentedRaw);
        _rentedRaw = ArrayPool<char>.Shared.Rent(length);
        _raw = _rentedRaw;
        return _raw;
    }

    private Span<char> EnsureNormalized(int length)
    {
        if (_normalized.Length >= length) return _normalized;
        if (_rentedNormalized is not null) ArrayPool<char>.Shared.Return(_rentedNormalized);
        _rentedNormalized = ArrayPool<char>.Shared.Rent(length);
        _normalized = _rentedNormalized;
        return _normalized;
    }

    private enum CharKind { Word, Space, Drop, Cjk }

    private static CharKind Classify(ReadOnlySpan<char> text, int index, out int width)
    {
        Rune.DecodeFromUtf16(text[index..], out var rune, out width);
        var cp = rune.Value;
        // An unpaired surrogate decodes as U+FFFD, which the BERT cleaner drops as well.
        if (cp == 0xFFFD) return CharKind.Drop;
        if (IsControl(rune)) return CharKind.Drop;
        if (Rune.IsWhiteSpace(rune)) return CharKind.Space;
        return IsCjk(cp) ? CharKind.Cjk : CharKind.Word;
    }

    /// <summary>HF <c>_is_control</c>: any "C*" category except tab, newline and carriage return.</summary>
    private static bool IsControl(Rune rune)
    {
        if (rune.Value is '\t' or '\n' or '\r') return false;
        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;
    }

    /// <summary>HF <c>_is_chinese_char</c>: the CJK Unified Ideographs blocks and their extensions (not Hangul or kana).</summary>
    internal static bool IsCjk(int cp) =>
        cp is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B820 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);

    private static bool IsUnicodePunctuation(UnicodeCategory category) => category is
        UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
        or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
        or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;

    private static byte[] BuildAsciiClasses()
    {
        var classes = new byte[128];
        for (var c = 0; c < 128; c++)
        {
            classes[c] = c switch
            {
                ' ' or '\t' or '\n' or '\r' => Space,
                < 32 or 127 => Drop,
                // HF _is_punctuation treats every non-alphanumeric ASCII character as punctuation ("$", "^", "`"...).
                (>= 33 and <= 47) or (>= 58 and <= 64) or (>= 91 and <= 96) or (>= 123 and <= 126) => Punct,
                _ => Letter,
            };
        }
        return classes;
    }
}
