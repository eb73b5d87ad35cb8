namespace Quarry.Tokenization;

/// <summary>
/// Builds BERT model inputs as Hugging Face's <c>TemplateProcessing</c> does: <c>[CLS] A [SEP]</c> for one text,
/// <c>[CLS] A [SEP] B [SEP]</c> for a pair with token type 0 up to and including the first [SEP] and 1 after it,
/// truncated to <see cref="MaxLength"/> tokens including the special ones ("longest_first" for pairs).
/// </summary>
internal sealed class BertInputEncoder
{
    public const string ClsToken = "[CLS]";
    public const string SepToken = "[SEP]";

    private readonly BertWordPieceTokenizer _tokenizer;
    private readonly int _cls;
    private readonly int _sep;

    public BertInputEncoder(BertWordPieceTokenizer tokenizer, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (maxLength < 4) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "A BERT input needs room for [CLS], [SEP] and text.");
        _tokenizer = tokenizer;
        MaxLength = maxLength;
        _cls = tokenizer.IdOf(ClsToken) ?? throw new InvalidDataException($"The vocabulary has no {ClsToken} token.");
        _sep = tokenizer.IdOf(SepToken) ?? throw new InvalidDataException($"The vocabulary has no {SepToken} token.");
    }

    public int MaxLength { get; }

    public BertWordPieceTokenizer Tokenizer => _tokenizer;

    /// <summary>Appends <c>[CLS] text [SEP]</c> to <paramref name="ids"/>; returns the number of ids appended.</summary>
    public int EncodeSingle(ReadOnlySpan<char> text, List<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var start = ids.Count;
        ids.Add(_cls);
        _tokenizer.EncodeInto(text, ids, MaxLength - 2);
        ids.Add(_sep);
        return ids.Count - start;
    }

    /// <summary>
    /// Appends <c>[CLS] first [SEP] second [SEP]</c> to <paramref name="ids"/>; returns the number of ids appended and
    /// how many of them have token type 0 (the rest have type 1).
    /// </summary>
    /// <param name="scratch">Reused working list for the second text's ids.</param>
    public (int Length, int FirstSegmentLength) EncodePair(ReadOnlySpan<char> first, ReadOnlySpan<char> second, List<int> ids, List<int> scratch)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(scratch);
        var start = ids.Count;
        ids.Add(_cls);
        // Both texts are tokenized in full: "longest_first" depends on which one is longer, not only on the budget.
        _tokenizer.EncodeInto(first, ids);
        var n1 = ids.Count - start - 1;
        scratch.Clear();
        _tokenizer.EncodeInto(second, scratch);
        var (keep1, keep2) = LongestFirst(n1, scratch.Count, MaxLength - 3);
        ids.RemoveRange(start + 1 + keep1, n1 - keep1);
        ids.Add(_sep);
        var firstSegment = ids.Count - start;
        for (var i = 0; i < keep2; i++) ids.Add(scratch[i]);
        ids.Add(_sep);
        return (ids.Count - start, firstSegment);
    }

    /// <summary>
    /// Hugging Face tokenizers' "longest_first" for a pair: with n1 ≤ n2, only the longer one is cut when that is
    /// enough, otherwise both are cut to half the budget (the longer input keeps the odd token).
    /// </summary>
    internal static (int First, int Second) LongestFirst(int n1, int n2, int budget)
    {
        if (n1 + n2 <= budget) return (n1, n2);
        var swap = n1 > n2;
        var (a, b) = swap ? (n2, n1) : (n1, n2);
        b = a > budget ? a : Math.Max(a, budget - a);
        if (a + b > budget)
        {
            a = budget / 2;
            b = a + budget % 2;
        }
        if (swap) (a, b) = (b, a);
        // Truncating to more than a text holds keeps it whole.
        return (Math.Min(a, n1), Math.Min(b, n2));
    }
}
