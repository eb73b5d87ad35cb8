namespace Quarry.Documents;

/// <summary>A half-open character range [Start, End) in a document's normalized text.</summary>
public readonly record struct TextSpan
{
    public TextSpan(int start, int end)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(end, start);
        Start = start;
        End = end;
    }

    public int Start { get; }
    public int End { get; }
    public int Length => End - Start;

    public bool Contains(TextSpan other) => other.Start >= Start && other.End <= End;
    public override string ToString() => $"[{Start}..{End})";
}
