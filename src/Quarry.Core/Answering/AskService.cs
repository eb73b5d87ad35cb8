using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quarry.Citations;
using Quarry.Diagnostics;
using Quarry.Generation;
using Quarry.Prompting;
using Quarry.Retrieval;

namespace Quarry.Answering;

/// <summary>
/// Answers a question from the knowledge base: retrieve → prompt → generate → cite. With no chat model configured, or
/// when every model fails, the built-in extractive answerer answers and <see cref="Answer.Degraded"/> records the path
/// taken. A generated answer is only <see cref="Answer.Grounded"/> when its citations verify against the evidence.
/// </summary>
public sealed class AskService
{
    private readonly Retriever _retriever;
    private readonly ExtractiveAnswerer _extractive;
    private readonly PromptBuilder _prompts;
    private readonly CitationVerifier _verifier;
    private readonly IChatModel? _chat;
    private readonly AnsweringOptions _options;
    private readonly ILogger<AskService> _logger;
    private readonly TimeProvider _time;
    private readonly Spending.UsageMeter? _meter;
    private readonly Intents.IntentAnswerer? _intents;
    private readonly Conversations.FollowUpRewriter? _rewriter;
    private readonly QueryExpansion.MultiQueryRetriever? _multiQuery;

    internal AskService(Retriever retriever, ExtractiveAnswerer extractive, PromptBuilder prompts, CitationVerifier verifier,
        IChatModel? chat, IOptions<AnsweringOptions> options, ILogger<AskService> logger, TimeProvider time, Spending.UsageMeter? meter = null,
        Intents.IntentAnswerer? intents = null, Conversations.FollowUpRewriter? rewriter = null, QueryExpansion.MultiQueryRetriever? multiQuery = null)
    {
        _multiQuery = multiQuery;
        _meter = meter;
        _intents = intents;
        _rewriter = rewriter;
        _retriever = retriever;
        _extractive = extractive;
        _prompts = prompts;
        _verifier = verifier;
        _chat = chat;
        _options = options.Value;
        _logger = logger;
        _time = time;
    }

    /// <exception cref="InvalidQueryException">The question is empty, too long or otherwise unusable.</exception>
    public async Task<Answer> AskAsync(AskRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var stage = QuarryTelemetry.StartStage("chat.request");
        var timings = new StageTimings(_time);
        await AdmitAsync(request, cancellationToken);
        if (await RouteAsync(request, timings, cancellationToken) is { } routed) return Finish(routed.Answer, timings, stage.Activity);
        var prepared = await PrepareAsync(request, timings, cancellationToken);
        if (prepared.Prompt is null || _chat is null) return Finish(Extract(prepared, timings, null), timings, stage.Activity);

        try
        {
            ChatCompletion completion;
            using (timings.Measure("generate"))
            {
                completion = await _chat.CompleteAsync(ChatRequestFor(prepared), cancellationToken);
            }
            return Finish(Verify(prepared, timings, completion.Text, completion.Model, completion.Usage, completion.Degraded), timings, stage.Activity);
        }
        catch (ChatModelException ex) when (!cancellationToken.IsCancellationRequested)
        {
            AnsweringLog.GenerationFellBack(_logger, ex.Message);
            return Finish(Extract(prepared, timings, $"generation failed ({ex.Message}) → extractive"), timings, stage.Activity);
        }
    }

    /// <summary>
    /// Streams the answer: the evidence first, then text deltas, then the verified citations, then the final answer.
    /// Clients render <see cref="DoneEvent.Answer"/>'s text as the final word: citation repair may change markers, and
    /// if the model fails mid-answer the extractive answer replaces the partial text.
    /// </summary>
    /// <exception cref="InvalidQueryException">The question is empty, too long or otherwise unusable (thrown before any event).</exception>
    public async IAsyncEnumerable<AnswerEvent> StreamAsync(AskRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var stage = QuarryTelemetry.StartStage("chat.request");
        var timings = new StageTimings(_time);
        await AdmitAsync(request, cancellationToken);
        if (await RouteAsync(request, timings, cancellationToken) is { } routed)
        {
            yield return new EvidenceEvent(routed.Evidence.Select(e => e.Describe()).ToList());
            var final = Finish(routed.Answer, timings, stage.Activity);
            foreach (var piece in Pieces(final.Text)) yield return new DeltaEvent(piece);
            yield return new CitationsEvent(final.Citations, final.UnsupportedSentences);
            yield return new DoneEvent(final);
            yield break;
        }
        var prepared = await PrepareAsync(request, timings, cancellationToken);
        yield return new EvidenceEvent(prepared.Evidence.Select(e => e.Describe()).ToList());

        Answer answer;
        if (prepared.Prompt is null || _chat is null)
        {
            answer = Extract(prepared, timings, null);
            foreach (var piece in Pieces(answer.Text)) yield return new DeltaEvent(piece);
        }
        else
        {
            var text = new StringBuilder();
            string? model = null, degraded = null;
            TokenUsage? usage = null;
            ChatModelException? failure = null;
            using (timings.Measure("generate"))
            {
                await using var updates = _chat.StreamAsync(ChatRequestFor(prepared), cancellationToken).GetAsyncEnumerator(cancellationToken);
                while (true)
                {
                    try
                    {
                        if (!await updates.MoveNextAsync()) break;
                    }
                    catch (ChatModelException ex) when (!cancellationToken.IsCancellationRequested)
                    {
                        failure = ex;
                        break;
                    }
                    var update = updates.Current;
                    model ??= update.Model;
                    degraded ??= update.Degraded;
                    usage = update.Usage ?? usage;
                    if (string.IsNullOrEmpty(update.TextDelta)) continue;
                    text.Append(update.TextDelta);
                    yield return new DeltaEvent(update.TextDelta);
                }
            }

            if (failure is null)
            {
                answer = Verify(prepared, timings, text.ToString(), model ?? _chat.ModelId, usage, degraded);
            }
            else
            {
                AnsweringLog.GenerationFellBack(_logger, failure.Message);
                var path = text.Length == 0 ? "generation failed" : "generation failed mid-answer";
                answer = Extract(prepared, timings, $"{path} ({failure.Message}) → extractive");
                if (text.Length == 0)
                {
                    foreach (var piece in Pieces(answer.Text)) yield return new DeltaEvent(piece);
                }
            }
        }

        answer = Finish(answer, timings, stage.Activity);
        yield return new CitationsEvent(answer.Citations, answer.UnsupportedSentences);
        yield return new DoneEvent(answer);
    }

    private sealed record Prepared(string Question, IReadOnlyList<SuppliedEvidence> Evidence, BuiltPrompt? Prompt, string? RetrievalDegraded,
        Documents.TenantId Tenant, AskRequest Request)
    {
        /// <summary>The standalone query retrieval used when a follow-up was rewritten; the extractive answer matches it too.</summary>
        public string? Rewritten { get; init; }
    }

    /// <summary>Small talk and summaries take their own route; null for an ordinary question.</summary>
    private async Task<Intents.IntentResult?> RouteAsync(AskRequest request, StageTimings timings, CancellationToken cancellationToken)
    {
        if (_intents is null) return null;
        using (timings.Measure("route"))
            return await _intents.TryAnswerAsync(request, QuestionText.Clean(request.Question), cancellationToken);
    }

    /// <summary>A tenant over its quota is refused before retrieval, so a stream fails with a status, not mid-way.</summary>
    /// <exception cref="Spending.QuotaExceededException">The tenant has used its token or spend quota.</exception>
    private ValueTask AdmitAsync(AskRequest request, CancellationToken cancellationToken) =>
        _chat is IChatAdmission admission ? admission.AdmitAsync(request.Filter.Tenant, cancellationToken) : ValueTask.CompletedTask;

    private async Task<Prepared> PrepareAsync(AskRequest request, StageTimings timings, CancellationToken cancellationToken)
    {
        var question = QuestionText.Clean(request.Question);
        var rewrite = _rewriter is null || request.History.Count == 0 ? null : await _rewriter.RewriteAsync(question, request.History, request.Filter.Tenant, cancellationToken);
        var query = rewrite?.Query ?? question;
        RetrievalResult retrieval;
        using (timings.Measure("retrieve"))
        {
            var retrievalRequest = new RetrievalRequest(query, request.Filter, request.TopK ?? _options.EvidenceChunks);
            retrieval = _multiQuery is { Enabled: true }
                ? (await _multiQuery.RetrieveAsync(retrievalRequest, cancellationToken)).Retrieval
                : await _retriever.RetrieveAsync(retrievalRequest, cancellationToken);
        }
        var evidence = await DefinitionLeads.AddAsync(query, SuppliedEvidence.Number(retrieval.Chunks), _retriever, request.Filter, cancellationToken);
        BuiltPrompt? prompt = null;
        if (_chat is not null && evidence.Count > 0)
        {
            using (timings.Measure("prompt"))
            using (QuarryTelemetry.StartStage("prompt.build"))
            {
                prompt = _prompts.Build(question, request.History, evidence, _chat.ContextWindow);
            }
        }
        return new Prepared(question, prompt?.Evidence ?? evidence, prompt, retrieval.Degraded, request.Filter.Tenant, request) { Rewritten = rewrite?.Rewritten };
    }

    private ChatRequest ChatRequestFor(Prepared prepared)
    {
        var prompt = prepared.Prompt!;
        var request = prepared.Request;
        var intent = QuestionIntent.Parse(prepared.Question) switch
        {
            { IsDefinition: true } => "definition",
            { AsksAboutChanges: true } => "changes",
            _ => "question",
        };
        var words = prepared.Question.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        var maxOutput = Math.Min(_options.MaxAnswerTokens, prompt.MaxOutputTokens);
        if (request.MaxOutputTokens is { } asked) maxOutput = Math.Min(maxOutput, asked);
        return new ChatRequest(prompt.Messages, maxOutput, prepared.Tenant, request.Temperature,
            new ChatRouteHints(words, prompt.PromptTokens, intent, request.Model)) { Admitted = _chat is IChatAdmission };
    }

    private Answer Extract(Prepared prepared, StageTimings timings, string? generationDegraded)
    {
        ExtractiveResult result;
        using (timings.Measure(generationDegraded is null ? "generate" : "fallback"))
        {
            result = _extractive.Answer(prepared.Rewritten ?? prepared.Question, prepared.Evidence);
        }
        return new Answer
        {
            Text = result.Text,
            Citations = result.Citations,
            Grounded = !result.Abstained && result.Citations.Count > 0,
            Abstained = result.Abstained,
            AbstentionReason = result.AbstentionReason,
            Support = result.Support,
            Model = ExtractiveAnswerer.ModelId,
            Degraded = Join(prepared.RetrievalDegraded, generationDegraded),
            RewrittenQuery = prepared.Rewritten,
        };
    }

    private Answer Verify(Prepared prepared, StageTimings timings, string text, string model, TokenUsage? usage, string? generationDegraded)
    {
        var degraded = Join(prepared.RetrievalDegraded, generationDegraded);
        if (IsNotFound(text))
        {
            return new Answer
            {
                Text = ExtractiveAnswerer.NotFound,
                Citations = [],
                Grounded = false,
                Abstained = true,
                AbstentionReason = "The model found no answer in the evidence.",
                Model = model,
                Degraded = degraded,
                Usage = usage,
                RewrittenQuery = prepared.Rewritten,
            };
        }

        VerifiedAnswer verified;
        using (timings.Measure("cite"))
        using (QuarryTelemetry.StartStage("cite"))
        {
            verified = _verifier.Verify(text, prepared.Evidence);
        }
        if (verified.DroppedMarkers.Count > 0) AnsweringLog.DroppedCitations(_logger, string.Join(", ", verified.DroppedMarkers));
        return GeneratedAnswer.From(verified, model, degraded, usage) with { RewrittenQuery = prepared.Rewritten };
    }

    private Answer Finish(Answer answer, StageTimings timings, Activity? activity)
    {
        var snapshot = timings.Snapshot();
        activity?.SetTag("quarry.answer.model", answer.Model);
        activity?.SetTag("quarry.answer.route", answer.Route);
        activity?.SetTag("quarry.answer.grounded", answer.Grounded);
        activity?.SetTag("quarry.answer.abstained", answer.Abstained);
        if (answer.Degraded is not null) activity?.SetTag("quarry.answer.degraded", answer.Degraded);
        AnswerTelemetry.Record(answer);
        Record(RequestFacts.Current, answer);
        AnsweringLog.Answered(_logger, answer.Model, answer.Grounded, answer.Abstained, answer.Citations.Count, snapshot["total"]);
        return answer with { TimingsMs = snapshot, Cost = _meter?.CostOf(answer.Model, answer.Usage) };
    }

    internal static void Record(RequestFacts? facts, Answer answer)
    {
        if (facts is null) return;
        facts.Model = answer.Model;
        facts.FallbackPath = answer.Degraded;
        facts.Grounded = answer.Grounded;
        facts.Abstained = answer.Abstained;
        facts.AnswerText = answer.Text;
        facts.SetCited(answer.Citations.Select(c => new CitedFact(c.ChunkId, c.DocumentId, c.Start, c.End)));
    }

    private static bool IsNotFound(string text) =>
        text.TrimStart().StartsWith(PromptTemplates.NotFoundReply, StringComparison.OrdinalIgnoreCase);

    private static string? Join(string? first, string? second) =>
        first is null ? second : second is null ? first : first + "; " + second;

    // The extractive answer exists whole at once; it is streamed in word groups so clients handle both paths alike.
    internal static IEnumerable<string> Pieces(string text)
    {
        const int Target = 24;
        var start = 0;
        while (start < text.Length)
        {
            var end = Math.Min(text.Length, start + Target);
            while (end < text.Length && !char.IsWhiteSpace(text[end])) end++;
            yield return text[start..end];
            start = end;
        }
    }
}
