using System.ComponentModel.DataAnnotations;

namespace Quarry.Intents;

/// <summary>
/// Which questions take another route than retrieve-and-answer (section <c>Answering:Intents</c>): greetings and
/// small talk, and requests to summarize a document or the knowledge base.
/// </summary>
public sealed class IntentOptions
{
    public const string SectionName = "Answering:Intents";

    /// <summary>Small talk ("hello", "thanks", "who are you?"): <c>Answer</c> with a short reply and no retrieval,
    /// <c>Abstain</c>, or <c>Off</c> (treat it as a question).</summary>
    public ChitChatMode ChitChat { get; set; } = ChitChatMode.Answer;

    /// <summary>"Summarize X" summarizes the document X is about (or the knowledge base) instead of answering.</summary>
    public bool Summaries { get; set; } = true;

    /// <summary>Chunks of one document a summary reads, spread evenly over it when it has more.</summary>
    [Range(2, 500)]
    public int SummaryMaxChunks { get; set; } = 40;

    /// <summary>Evidence tokens per map step of a generated summary; a document above it is summarized in parts,
    /// then the parts are merged.</summary>
    [Range(500, 100_000)]
    public int SummaryBatchTokens { get; set; } = 2500;

    /// <summary>Sentences of a summary without a chat model (the lead sentence of chunks spread over the document).</summary>
    [Range(1, 20)]
    public int ExtractiveSummarySentences { get; set; } = 6;
}

public enum ChitChatMode
{
    Answer,
    Abstain,
    Off,
}
