using Quarry.Tokenization;

namespace Quarry.Models.Local.Inference;

/// <summary>
/// Token ids of several sequences packed end to end (no padding), with where each starts and how many of its
/// tokens have token type 0. Reused across calls: <see cref="Clear"/> keeps the lists' capacity.
/// </summary>
internal sealed class EncoderBatch
{
    private readonly List<int> _starts = [0];
    private readonly List<int> _firstSegments = [];
    private readonly List<int> _scratch = [];

    public List<int> Ids { get; } = [];

    public int Count => _firstSegments.Count;

    public int TokenCount => Ids.Count;

    public int Start(int sequence) => _starts[sequence];

    public IEnumerable<int> Lengths()
    {
        for (var s = 0; s < Count; s++) yield return _starts[s + 1] - _starts[s];
    }

    /// <summary>
    /// Adds <paramref name="count"/> inputs one by one and runs a forward pass whenever the next could push the batch
    /// past <paramref name="maxBatchTokens"/> (and at the end); <paramref name="run"/> gets the batch and the index of
    /// its first input.
    /// </summary>
    public static void InPasses(int count, int maxLength, int maxBatchTokens, Action<EncoderBatch, int> add,
        Action<EncoderBatch, int> run, CancellationToken cancellationToken)
    {
        var batch = new EncoderBatch();
        var first = 0;
        for (var i = 0; i < count; i++)
        {
            add(batch, i);
            if (batch.TokenCount + maxLength <= maxBatchTokens && i < count - 1) continue;
            cancellationToken.ThrowIfCancellationRequested();
            run(batch, first);
            batch.Clear();
            first = i + 1;
        }
    }

    /// <summary>Splits the sequences into at most <paramref name="groups"/> contiguous runs of about equal token
    /// counts, each with the offset of its first token in this batch.</summary>
    public List<(EncoderBatch Batch, int TokenOffset)> Split(int groups)
    {
        var parts = new List<(EncoderBatch, int)>(groups);
        var target = (TokenCount + groups - 1) / groups;
        var current = new EncoderBatch();
        var offset = 0;
        for (var s = 0; s < Count; s++)
        {
            var start = _starts[s];
            var length = _starts[s + 1] - start;
            for (var t = start; t < start + length; t++) current.Ids.Add(Ids[t]);
            current._firstSegments.Add(_firstSegments[s]);
            current._starts.Add(current.Ids.Count);
            if (current.TokenCount >= target && parts.Count < groups - 1 && s < Count - 1)
            {
                parts.Add((current, offset));
                offset += current.TokenCount;
                current = new EncoderBatch();
            }
        }
        parts.Add((current, offset));
        return parts;
    }

    public void Clear()
    {
        Ids.Clear();
        _starts.Clear();
        _starts.Add(0);
        _firstSegments.Clear();
    }

    public void AddSingle(BertInputEncoder encoder, ReadOnlySpan<char> text)
    {
        var length = encoder.EncodeSingle(text, Ids);
        _firstSegments.Add(length);
        _starts.Add(Ids.Count);
    }

    /// <summary>A sequence of ids as they are (special tokens included), token type 0.</summary>
    public void AddIds(ReadOnlySpan<int> ids)
    {
        foreach (var id in ids) Ids.Add(id);
        _firstSegments.Add(ids.Length);
        _starts.Add(Ids.Count);
    }

    public void AddPair(BertInputEncoder encoder, ReadOnlySpan<char> first, ReadOnlySpan<char> second)
    {
        var (_, firstSegment) = encoder.EncodePair(first, second, Ids, _scratch);
        _firstSegments.Add(firstSegment);
        _starts.Add(Ids.Count);
    }

    /// <summary>Position within its sequence and token type of packed token <paramref name="token"/>.</summary>
    public (int Position, int Type) PositionAndType(int token)
    {
        var s = FindSequence(token);
        var position = token - _starts[s];
        return (position, position < _firstSegments[s] ? 0 : 1);
    }

    private int FindSequence(int token)
    {
        var index = _starts.BinarySearch(token);
        return index >= 0 ? Math.Min(index, Count - 1) : ~index - 1;
    }
}
