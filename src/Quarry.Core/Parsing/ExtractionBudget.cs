namespace Quarry.Parsing;

/// <summary>
/// What one document may cost while it is being extracted: characters of text and structural elements, counted as
/// they are produced (so memory is bounded by the limits, not by the file), and the job's time budget, checked at the
/// same points (so a parser that keeps producing text also keeps noticing the deadline). Ambient for the parse of one
/// document: <see cref="DocumentBuilder"/> charges every block to it, and parsers charge what they read.
/// </summary>
public sealed class ExtractionBudget
{
    private static readonly AsyncLocal<ExtractionBudget?> Ambient = new();

    private readonly long _maxChars;
    private readonly long _maxElements;
    private readonly CancellationToken _cancellationToken;
    private long _chars;
    private long _elements;

    public ExtractionBudget(long maxChars, long maxElements, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxElements, 1);
        _maxChars = maxChars;
        _maxElements = maxElements;
        _cancellationToken = cancellationToken;
    }

    /// <summary>The budget of the document being parsed on this flow, or null outside ingestion (unit tests, tools).</summary>
    public static ExtractionBudget? Current => Ambient.Value;

    public long Chars => _chars;

    public bool IsExpired => _cancellationToken.IsCancellationRequested;

    /// <summary>Makes <paramref name="budget"/> current until the scope is disposed.</summary>
    public static IDisposable Enter(ExtractionBudget budget)
    {
        var previous = Ambient.Value;
        Ambient.Value = budget;
        return new Scope(previous);
    }

    /// <summary>Throws when the time budget ran out (for loops that produce nothing countable for a while).</summary>
    public void CheckTime() => _cancellationToken.ThrowIfCancellationRequested();

    /// <summary>Counts extracted characters; rejects the document as too large past the limit.</summary>
    public void ChargeChars(long chars)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        _chars += chars;
        if (_chars > _maxChars)
            throw new DocumentRejectedException(RejectionReason.TooLarge,
                $"The document's extracted text exceeds {_maxChars:N0} characters (Parsing:MaxExtractedChars).");
    }

    /// <summary>Counts structural elements (blocks, tags, cells); rejects the document past the limit.</summary>
    public void ChargeElements(long elements)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        _elements += elements;
        if (_elements > _maxElements)
            throw new DocumentRejectedException(RejectionReason.TooLarge,
                $"The document has more than {_maxElements:N0} elements (Parsing:MaxElements).");
    }

    private sealed class Scope(ExtractionBudget? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}
