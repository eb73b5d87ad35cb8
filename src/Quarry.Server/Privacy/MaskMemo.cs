using System.Collections.Concurrent;
using Quarry.Documents;
using Quarry.Privacy;

namespace Quarry.Server.Privacy;

/// <summary>
/// Remembers the masked form of strings the responses repeat — above all the text of chunks, which every search
/// that finds them sends again — so the PII recognizers run once per text rather than once per response. Masking is
/// a pure function of the text and the tenant (the policy and the pseudonym key are fixed for the process), so a
/// remembered value is exactly what masking again would give. Bounded by the characters it holds; when full it
/// starts over.
/// </summary>
internal sealed class MaskMemo(PrivacyMasker masker)
{
    private const int MaxTextLength = 32_768;
    private const long MaxChars = 8_000_000;
    private readonly ConcurrentDictionary<(string Tenant, string Text), string> _masked = new();
    private long _chars;

    public string Mask(string text, TenantId tenant)
    {
        if (text.Length > MaxTextLength) return masker.Mask(text, tenant);
        if (_masked.TryGetValue((tenant.Value, text), out var masked)) return masked;
        masked = masker.Mask(text, tenant);
        if (Interlocked.Add(ref _chars, text.Length + masked.Length) > MaxChars)
        {
            _masked.Clear();
            Interlocked.Exchange(ref _chars, text.Length + masked.Length);
        }
        _masked.TryAdd((tenant.Value, text), masked);
        return masked;
    }
}
