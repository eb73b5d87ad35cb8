using System.Globalization;
using System.Text;
using Quarry.Answering;
using Quarry.Citations;
using Quarry.Generation;
using Quarry.Prompting;
using Quarry.Tokenization;

namespace Quarry.Intents;

/// <summary>
/// Summarizes numbered evidence with citations. With a chat model: map (each part of the evidence under the token
/// budget is summarized with [n] markers that keep their global numbers) then reduce (the parts merged, markers kept),
/// and the citation verifier checks the result like any answer. Without one, or when the model fails: the lead
/// sentence of chunks spread over the evidence, each cited.
/// </summary>
internal sealed class Summarizer(CitationVerifier verifier, ITokenCounter tokens, IntentOptions options)
{
    private const string MapInstructions =
        "You summarize passages for a reader. Use only the passages below. End every sentence with the numbers of the passages it comes from in brackets, before the full stop, like: Refunds take five days [2]. Write at most five sentences.";
    private const string ReduceInstructions =
        "Merge these partial summaries of one text into a single summary of at most eight sentences. Keep every bracketed passage number exactly as written; do not add facts.";

    public Answer Extractive(IReadOnlyList<SuppliedEvidence> evidence, string? degraded)
    {
        var picked = SummaryEvidence.Spread([.. evidence], options.ExtractiveSummarySentences);
        var text = new StringBuilder();
        foreach (var e in picked)
        {
            if (LeadSentence(e.Chunk.Text) is not { } sentence) continue;
            if (text.Length > 0) text.Append(' ');
            // Quarry's citation convention puts the marker before the sentence's closing punctuation: "… days [2]."
            var body = sentence.TrimEnd('.', '!', '?', ' ');
            var end = sentence.Length > body.Length ? sentence[^1] : '.';
            text.Append(body).Append(" [").Append(e.N.ToString(CultureInfo.InvariantCulture)).Append(']').Append(end);
        }
        var verified = verifier.Verify(text.ToString(), evidence);
        return new Answer
        {
            Text = verified.Text,
            Citations = verified.Citations,
            Grounded = verified.Citations.Count > 0 && verified.UnsupportedSentences.Count == 0,
            Abstained = false,
            Model = ExtractiveAnswerer.ModelId,
            Degraded = degraded,
            UnsupportedSentences = verified.UnsupportedSentences,
        };
    }

    /// <exception cref="ChatModelException">The model failed; the caller falls back to <see cref="Extractive"/>.</exception>
    public async Task<Answer> GenerateAsync(IChatModel chat, IReadOnlyList<SuppliedEvidence> evidence, ChatRequest template, CancellationToken cancellationToken)
    {
        var parts = new List<string>();
        var input = 0;
        var output = 0;
        string model = chat.ModelId;
        string? degraded = null;
        foreach (var batch in Batches(evidence))
        {
            var prompt = new StringBuilder();
            foreach (var e in batch) prompt.Append(PromptBuilder.Render(e, e.Chunk.Text)).Append("\n\n");
            prompt.Append("Summarize these passages.");
            var completion = await chat.CompleteAsync(template with
            {
                Messages = [new ChatMessage(ChatRole.System, MapInstructions), new ChatMessage(ChatRole.User, prompt.ToString())],
            }, cancellationToken);
            Add(completion);
            parts.Add(completion.Text.Trim());
        }
        var text = parts.Count == 1 ? parts[0] : await ReduceAsync();
        var verified = verifier.Verify(text, evidence);
        return GeneratedAnswer.From(verified, model, degraded, new TokenUsage(input, output));

        async Task<string> ReduceAsync()
        {
            var joined = string.Join("\n\n", parts.Select((p, i) => $"Part {i + 1}:\n{p}"));
            var completion = await chat.CompleteAsync(template with
            {
                Messages = [new ChatMessage(ChatRole.System, ReduceInstructions), new ChatMessage(ChatRole.User, joined)],
            }, cancellationToken);
            Add(completion);
            return completion.Text.Trim();
        }

        void Add(ChatCompletion completion)
        {
            input += completion.Usage?.InputTokens ?? 0;
            output += completion.Usage?.OutputTokens ?? 0;
            model = completion.Model;
            degraded ??= completion.Degraded;
        }
    }

    private IEnumerable<List<SuppliedEvidence>> Batches(IReadOnlyList<SuppliedEvidence> evidence)
    {
        var batch = new List<SuppliedEvidence>();
        var size = 0;
        foreach (var e in evidence)
        {
            var cost = tokens.CountTokens(e.Chunk.Text) + 32;
            if (batch.Count > 0 && size + cost > options.SummaryBatchTokens)
            {
                yield return batch;
                batch = [];
                size = 0;
            }
            batch.Add(e);
            size += cost;
        }
        if (batch.Count > 0) yield return batch;
    }

    /// <summary>The first prose sentence of a chunk with a few words to it: headings, fragments, markup and
    /// command lines are skipped.</summary>
    internal static string? LeadSentence(string text)
    {
        foreach (var unit in CitableSpans.Split(text))
        {
            if (unit.Kind != CitableSpans.Kind.Sentence) continue;
            var sentence = text[unit.Start..unit.End].Trim();
            if (sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length < 5 || !char.IsLetter(sentence[0])) continue;
            if (sentence.Contains('<', StringComparison.Ordinal) || sentence.Contains('`', StringComparison.Ordinal) || sentence.Contains('|', StringComparison.Ordinal)) continue;
            if (sentence.Count(c => char.IsLetter(c) || c == ' ') < 0.8 * sentence.Length) continue;
            return sentence;
        }
        return null;
    }
}
