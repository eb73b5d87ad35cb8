namespace Quarry.Answering;

/// <summary>
/// What a streamed answer emits, in order: <see cref="EvidenceEvent"/> once, <see cref="DeltaEvent"/> zero or more
/// times, <see cref="CitationsEvent"/> once (verified after the text is complete), then <see cref="DoneEvent"/>.
/// </summary>
public abstract record AnswerEvent;

public sealed record EvidenceEvent(IReadOnlyList<Evidence> Evidence) : AnswerEvent;

public sealed record DeltaEvent(string Text) : AnswerEvent;

public sealed record CitationsEvent(IReadOnlyList<Citation> Citations, IReadOnlyList<string> UnsupportedSentences) : AnswerEvent;

public sealed record DoneEvent(Answer Answer) : AnswerEvent;

/// <summary>One evidence block given to the answerer; <see cref="N"/> is the number an answer cites it by.</summary>
public sealed record Evidence(
    int N,
    string DocumentId,
    string ChunkId,
    string Title,
    string Section,
    string SourceUri,
    int? Page,
    double Score);
