using Quarry.Documents;

namespace Quarry.Privacy;

/// <summary>
/// Masks text that arrives in pieces (answer deltas), so a value split across pieces is still masked: the last
/// <see cref="Holdback"/> characters are held until more text (or the end) shows whether they belong to a value, and
/// a value that reaches into the held text is held whole. The concatenated output equals masking the whole text,
/// for values up to <see cref="Holdback"/> characters long.
/// </summary>
public sealed class StreamingPiiMasker
{
    /// <summary>Longer than any phone, card, IBAN or address, and most e-mail addresses.</summary>
    public const int Holdback = 96;
    private readonly PrivacyMasker _masker;
    private readonly TenantId _tenant;
    private string _pending = "";

    internal StreamingPiiMasker(PrivacyMasker masker, TenantId tenant)
    {
        _masker = masker;
        _tenant = tenant;
    }

    /// <summary>Adds a piece; returns the masked text that is now safe to send (possibly empty).</summary>
    public string Push(string piece)
    {
        ArgumentNullException.ThrowIfNull(piece);
        _pending += piece;
        var cut = _pending.Length - Holdback;
        if (cut <= 0) return "";
        // Cut after whitespace (a value that begins right at the cut keeps its start) and never through a value: one
        // that starts before the cut and ends after it waits whole. Values do not overlap, so this settles.
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

    /// <summary>The rest, masked, at the end of the stream.</summary>
    public string Flush()
    {
        var rest = _pending;
        _pending = "";
        return rest.Length == 0 ? "" : _masker.Mask(rest, _tenant);
    }
}
