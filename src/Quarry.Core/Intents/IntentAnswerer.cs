using Quarry.Answering;
using Quarry.Diagnostics;
using Quarry.Generation;

namespace Quarry.Intents;

/// <param name="Evidence">What the answer was made from (empty for small talk), streamed as the evidence event.</param>
internal sealed record IntentResult(Answer Answer, IReadOnlyList<SuppliedEvidence> Evidence);

/// <summary>
/// Answers the questions that are not questions about the documents: small talk without retrieval, and summaries of a
/// document or the knowledge base. Returns null for an ordinary question, which takes the retrieve-and-answer path.
/// </summary>
internal sealed class IntentAnswerer(SummaryEvidence gather, Summarizer summarizer, IChatModel? chat, IntentOptions options, int maxAnswerTokens)
{
    internal const string SmallTalkReply =
        "I answer questions from the documents in this knowledge base and show where each answer comes from. Ask me something about them.";

    public async Task<IntentResult?> TryAnswerAsync(AskRequest request, string question, CancellationToken cancellationToken)
    {
        var routed = QuestionRouter.Classify(question);
        switch (routed.Route)
        {
            case QuestionRoutes.ChitChat when options.ChitChat != ChitChatMode.Off:
                Trace(routed.Route);
                return new IntentResult(SmallTalk(options.ChitChat == ChitChatMode.Abstain), []);
            case QuestionRoutes.Summary when options.Summaries:
                Trace(routed.Route);
                return await SummarizeAsync(request, routed.Subject, cancellationToken);
            default:
                Activity()?.SetTag("quarry.route", QuestionRoutes.Qa);
                return null;
        }
    }

    private async Task<IntentResult> SummarizeAsync(AskRequest request, string subject, CancellationToken cancellationToken)
    {
        IReadOnlyList<SuppliedEvidence> evidence;
        using (QuarryTelemetry.StartStage("rag.summary.gather"))
        {
            (evidence, _) = await gather.GatherAsync(subject, request.Filter, options.SummaryMaxChunks, cancellationToken);
        }
        if (evidence.Count == 0)
        {
            var what = subject.Length == 0 ? "the knowledge base has no documents you may read" : $"no document about '{subject}' was found";
            return new IntentResult(Abstain($"Nothing to summarize: {what}.", ExtractiveAnswerer.NotFound), []);
        }
        if (chat is null) return new IntentResult(summarizer.Extractive(evidence, null) with { Route = QuestionRoutes.Summary }, evidence);
        var words = request.Question.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        var template = new ChatRequest([], maxAnswerTokens, request.Filter.Tenant, request.Temperature,
            new ChatRouteHints(words, options.SummaryBatchTokens, QuestionRoutes.Summary, request.Model))
        {
            // AskService admitted the tenant before routing here.
            Admitted = chat is IChatAdmission,
        };
        try
        {
            return new IntentResult((await summarizer.GenerateAsync(chat, evidence, template, cancellationToken)) with { Route = QuestionRoutes.Summary }, evidence);
        }
        catch (ChatModelException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new IntentResult(summarizer.Extractive(evidence, $"summary generation failed ({ex.Message}) → extractive") with { Route = QuestionRoutes.Summary }, evidence);
        }
    }

    private static Answer SmallTalk(bool abstain) => abstain
        ? Abstain("Not a question about the documents.", ExtractiveAnswerer.NotFound) with { Route = QuestionRoutes.ChitChat }
        : new Answer
        {
            Text = SmallTalkReply,
            Citations = [],
            Grounded = false,
            Abstained = false,
            Model = ExtractiveAnswerer.ModelId,
            Route = QuestionRoutes.ChitChat,
        };

    private static Answer Abstain(string reason, string text) => new()
    {
        Text = text,
        Citations = [],
        Grounded = false,
        Abstained = true,
        AbstentionReason = reason,
        Model = ExtractiveAnswerer.ModelId,
        Route = QuestionRoutes.Summary,
    };

    private static void Trace(string route) => Activity()?.SetTag("quarry.route", route);

    private static System.Diagnostics.Activity? Activity() => System.Diagnostics.Activity.Current;
}
