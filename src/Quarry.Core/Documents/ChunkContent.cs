namespace Quarry.Documents;

/// <summary>
/// A chunk as the chunker produces it, before the store gives it an id, version and timestamps
/// (the version is only known inside the store's write transaction).
/// </summary>
public sealed record ChunkContent
{
    public required string Text { get; init; }
    public required TextSpan Span { get; init; }
    public int HeaderPrefixLength { get; init; }
    public IReadOnlyList<string> Section { get; init; } = [];
    public required int TokenCount { get; init; }
    public int? PageStart { get; init; }
    public int? PageEnd { get; init; }

    /// <summary>SHA-256 of <see cref="Text"/>.</summary>
    public string Checksum => _checksum ??= DocumentIdentity.Checksum(Text);
    private string? _checksum;
}
