using Microsoft.Extensions.Options;
using Quarry.Answering;
using Quarry.Generation;
using Quarry.Retrieval;
using Quarry.Tokenization;

namespace Quarry.Prompting;

/// <summary>
/// Fits system rules + conversation history + evidence + the question into the model's context window, keeping
/// <see cref="PromptOptions.ReservedAnswerTokens"/> free for the answer. Evidence is added best-first, so the
/// lowest-ranked blocks are the ones left out; history keeps the newest turns, cuts long ones and notes what was omitted.
/// </summary>
internal sealed class PromptBuilder(ITokenCounter tokens, IOptions<PromptOptions> options)
{
    // The budget is counted with a WordPiece tokenizer; chat models' BPE vocabularies differ, so a margin keeps the
    // estimate on the safe side.
    private const double TokenizerMargin = 1.15;

    private readonly PromptOptions _options = options.Value;

    public BuiltPrompt Build(string question, IReadOnlyList<ChatMessage> history, IReadOnlyList<SuppliedEvidence> evidence, int contextWindow)
    {
        var reserved = Math.Min(_options.ReservedAnswerTokens, contextWindow / 2);
        var fixedTokens = Count(PromptTemplates.System) + Count(PromptTemplates.Question.Replace("{question}", question, StringComparison.Ordinal));
        var remaining = contextWindow - reserved - fixedTokens;
        if (remaining <= 0)
            throw new InvalidQueryException($"The question does not fit the model's context window of {contextWindow} tokens.");

        var (turns, droppedTurns, historyTokens) = FitHistory(history, (int)(remaining * _options.MaxHistoryShare));
        remaining -= historyTokens;

        var blocks = new List<string>();
        var included = new List<SuppliedEvidence>();
        foreach (var e in evidence)
        {
            var block = Render(e, e.Chunk.Text);
            var cost = Count(block) + 2;
            if (cost > remaining)
            {
                // The best block alone is too big: cut it rather than answer from nothing.
                if (included.Count == 0 && remaining > 64)
                {
                    block = Render(e, Truncate(e.Chunk.Text, remaining - Count(Render(e, "")) - 8));
                    cost = Count(block) + 2;
                }
                else break;
            }
            blocks.Add(block);
            included.Add(e);
            remaining -= cost;
        }

        var messages = new List<ChatMessage>(turns.Count + 3) { new(ChatRole.System, PromptTemplates.System) };
        if (droppedTurns > 0)
            messages.Add(new ChatMessage(ChatRole.System, PromptTemplates.HistoryOmitted.Replace("{count}", droppedTurns.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)));
        messages.AddRange(turns);
        messages.Add(new ChatMessage(ChatRole.User, PromptTemplates.Question
            .Replace("{evidence}", string.Join("\n\n", blocks), StringComparison.Ordinal)
            .Replace("{question}", question, StringComparison.Ordinal)));

        var promptTokens = messages.Sum(m => Count(m.Content));
        return new BuiltPrompt(messages, included, promptTokens, Math.Max(16, contextWindow - promptTokens), evidence.Count - included.Count, droppedTurns);
    }

    private (List<ChatMessage> Turns, int Dropped, int Tokens) FitHistory(IReadOnlyList<ChatMessage> history, int budget)
    {
        var kept = new List<ChatMessage>();
        var used = 0;
        for (var i = history.Count - 1; i >= 0; i--)
        {
            var turn = history[i];
            if (turn.Role == ChatRole.System) continue; // Callers cannot inject system rules through history.
            var content = Count(turn.Content) > _options.MaxTurnTokens ? Truncate(turn.Content, _options.MaxTurnTokens) : turn.Content;
            var cost = Count(content);
            if (used + cost > budget) return (Reversed(kept), i + 1, used);
            kept.Add(turn with { Content = content });
            used += cost;
        }
        return (Reversed(kept), 0, used);

        static List<ChatMessage> Reversed(List<ChatMessage> list)
        {
            list.Reverse();
            return list;
        }
    }

    internal static string Render(SuppliedEvidence e, string text) => PromptTemplates.Evidence
        .Replace("{n}", e.N.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{title}", e.Chunk.Title, StringComparison.Ordinal)
        .Replace("{section}", e.Chunk.Section.Count > 0 ? " — " + e.Chunk.SectionPath : "", StringComparison.Ordinal)
        .Replace("{source}", e.Chunk.SourceUri, StringComparison.Ordinal)
        .Replace("{text}", text, StringComparison.Ordinal);

    private int Count(string text) => (int)Math.Ceiling(tokens.CountTokens(text) * TokenizerMargin);

    /// <summary>The longest prefix (cut at a word boundary) that fits <paramref name="budget"/> tokens, marked as cut.</summary>
    private string Truncate(string text, int budget)
    {
        if (budget <= 0) return "…";
        int low = 0, high = text.Length;
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            if (Count(text[..mid]) <= budget) low = mid;
            else high = mid - 1;
        }
        var cut = low;
        while (cut > 0 && cut < text.Length && !char.IsWhiteSpace(text[cut])) cut--;
        return (cut > 0 ? text[..cut] : text[..low]).TrimEnd() + " …";
    }
}
