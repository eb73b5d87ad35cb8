using Quarry.Generation;

namespace Quarry.Answering;

/// <summary>
/// The answer contract shared by the CLI, the HTTP API and the UI. A grounded answer has at least one verified
/// citation and no unsupported sentence; an abstention has empty citations and says why.
/// </summary>
public sealed record Answer
{
    public required string Text { get; init; }
    public required IReadOnlyList<Citation> Citations { get; init; }
    public required bool Grounded { get; init; }
    public required bool Abstained { get; init; }
    /// <summary>Why the answer abstained (e.g. "not found in the knowledge base"), or null.</summary>
    public string? AbstentionReason { get; init; }
    /// <summary>"extractive" for the built-in answerer, otherwise the chat model that answered.</summary>
    public required string Model { get; init; }
    /// <summary>The fallback path taken (retrieval keyword-only, model failover, extractive fallback), or null.</summary>
    public string? Degraded { get; init; }
    /// <summary>Sentences of a generated answer that no supplied evidence supports.</summary>
    public IReadOnlyList<string> UnsupportedSentences { get; init; } = [];
    public TokenUsage? Usage { get; init; }
    /// <summary>What the model calls behind this answer cost (from the configured prices); null when no model was called.</summary>
    public Spending.AnswerCost? Cost { get; init; }
    /// <summary>Milliseconds per stage ("retrieve", "prompt", "generate", "cite", "total").</summary>
    public IReadOnlyDictionary<string, double> TimingsMs { get; init; } = new Dictionary<string, double>();
    /// <summary>The route the question took: <c>qa</c> (retrieve and answer), <c>summary</c> or <c>chitchat</c>.</summary>
    public string Route { get; init; } = Intents.QuestionRoutes.Qa;
    /// <summary>Whether the answer cache served it (and from which layer, how old); null where no cache is in the path.</summary>
    public Caching.AnswerCacheInfo? Cache { get; init; }
    /// <summary>What the extractive answerer decided to answer or abstain on (for evaluation; not part of the wire contract).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public AnswerSupport? Support { get; init; }
    /// <summary>The standalone query retrieval used when the question was a follow-up that was rewritten, else null.</summary>
    public string? RewrittenQuery { get; init; }
}

/// <param name="N">The marker number used in the answer text ([n]).</param>
/// <param name="Start">Start of the quote in the document's normalized text.</param>
/// <param name="End">End (exclusive) of the quote in the document's normalized text.</param>
/// <param name="Quote">Exactly the normalized text between <paramref name="Start"/> and <paramref name="End"/>.</param>
public sealed record Citation(
    int N,
    string DocumentId,
    string ChunkId,
    string Title,
    string Section,
    string SourceUri,
    int? Page,
    int Start,
    int End,
    string Quote);

/// <summary>A model's text, once the citation verifier has checked it, as the answer contract.</summary>
internal static class GeneratedAnswer
{
    public static Answer From(Citations.VerifiedAnswer verified, string model, string? degraded, TokenUsage? usage) => new()
    {
        Text = verified.Text,
        Citations = verified.Citations,
        Grounded = verified.Citations.Count > 0 && verified.UnsupportedSentences.Count == 0,
        Abstained = false,
        Model = model,
        Degraded = degraded,
        UnsupportedSentences = verified.UnsupportedSentences,
        Usage = usage,
    };
}
