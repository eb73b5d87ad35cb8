using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quarry.Diagnostics;
using Quarry.Documents;
using Quarry.Generation;
using Quarry.Tokenization;

namespace Quarry.Conversations;

/// <param name="Query">What retrieval searches for: the rewrite, or the question as asked.</param>
/// <param name="Rewritten">The rewrite when there was one (returned to the caller as <c>rewrittenQuery</c>), else null.</param>
/// <param name="Method">none, rule or model.</param>
public sealed record FollowUpRewrite(string Query, string? Rewritten, string Method);

/// <summary>
/// Condenses a follow-up into a standalone query before retrieval (span <c>rag.rewrite</c>). With a chat model it
/// asks the model in a short prompt of its own budget and time limit; without one, or when the model fails, is slow
/// or answers something unusable, the deterministic <see cref="FollowUpRule"/> decides. A question without history
/// is never rewritten.
/// </summary>
public sealed class FollowUpRewriter
{
    private readonly IChatModel? _chat;
    private readonly ITokenCounter _tokens;
    private readonly RewriteOptions _options;
    private readonly ILogger _logger;

    internal FollowUpRewriter(IChatModel? chat, ITokenCounter tokens, IOptions<ConversationOptions> options, ILogger<FollowUpRewriter> logger)
    {
        _chat = chat;
        _tokens = tokens;
        _options = options.Value.Rewrite;
        _logger = logger;
    }

    public async Task<FollowUpRewrite> RewriteAsync(string question, IReadOnlyList<ChatMessage> history, TenantId tenant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(history);
        var previous = history.Where(m => m.Role == ChatRole.User).Select(m => m.Content).ToList();
        if (!_options.Enabled || previous.Count == 0) return new FollowUpRewrite(question, null, "none");

        using var stage = QuarryTelemetry.StartStage("rag.rewrite");
        var result = await RewriteWithModelAsync(question, history, tenant, cancellationToken) ?? ByRule(question, previous);
        stage.Activity?.SetTag("quarry.rewrite.method", result.Method);
        stage.Activity?.SetTag("quarry.rewrite.changed", result.Rewritten is not null);
        return result;
    }

    private static FollowUpRewrite ByRule(string question, IReadOnlyList<string> previous) =>
        FollowUpRule.Rewrite(question, previous) is { } rewritten
            ? new FollowUpRewrite(rewritten, rewritten, "rule")
            : new FollowUpRewrite(question, null, "none");

    private async Task<FollowUpRewrite?> RewriteWithModelAsync(string question, IReadOnlyList<ChatMessage> history, TenantId tenant, CancellationToken cancellationToken)
    {
        if (_chat is null || !_options.UseModel) return null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            var messages = new List<ChatMessage> { new(ChatRole.System, RewritePrompt.System), new(ChatRole.User, Prompt(question, history)) };
            var completion = await _chat.CompleteAsync(new ChatRequest(messages, _options.MaxOutputTokens, tenant, Temperature: 0f), timeout.Token);
            var query = RewritePrompt.Clean(completion.Text, question);
            if (query is null)
            {
                ConversationLog.RewriteUnusable(_logger);
                return null;
            }
            var same = string.Equals(query.Trim(), question.Trim(), StringComparison.OrdinalIgnoreCase);
            return new FollowUpRewrite(query, same ? null : query, "model");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            ConversationLog.RewriteTimedOut(_logger, _options.Timeout.TotalMilliseconds);
            return null;
        }
        catch (ChatModelException ex) when (!cancellationToken.IsCancellationRequested)
        {
            ConversationLog.RewriteFailed(_logger, ex.Message);
            return null;
        }
    }

    /// <summary>The conversation, newest turns kept within the budget, then the question.</summary>
    private string Prompt(string question, IReadOnlyList<ChatMessage> history)
    {
        var budget = _options.MaxInputTokens - _tokens.CountTokens(question);
        var lines = new List<string>();
        for (var i = history.Count - 1; i >= 0 && budget > 0; i--)
        {
            var m = history[i];
            var line = (m.Role == ChatRole.User ? "User: " : "Assistant: ") + m.Content.ReplaceLineEndings(" ");
            var cost = _tokens.CountTokens(line);
            if (cost > budget)
            {
                // The newest turn matters most: a long answer is cut rather than dropped.
                if (lines.Count == 0) lines.Add(line[..Math.Min(line.Length, Math.Max(0, budget) * 3)]);
                break;
            }
            budget -= cost;
            lines.Add(line);
        }
        lines.Reverse();
        var prompt = new StringBuilder();
        prompt.Append("Conversation:\n").AppendJoin('\n', lines).Append("\n\nLast question: ").Append(question).Append("\n\nStandalone query:");
        return prompt.ToString();
    }
}
