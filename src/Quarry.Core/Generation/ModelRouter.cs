namespace Quarry.Generation;

/// <summary>Orders the gateway's providers for one request: a requested provider, else the first matching rule's,
/// goes first; the configured chain follows it as fallback.</summary>
internal sealed class ModelRouter
{
    private readonly ChatProvider[] _chain;
    private readonly ChatProvider[] _all;
    private readonly IReadOnlyList<ChatRouteRule> _rules;

    public ModelRouter(ChatProvider[] chain, IReadOnlyList<ChatProvider> all, ChatRoutingOptions options)
    {
        _chain = chain;
        _all = [.. all];
        _rules = [.. options.Rules];
    }

    /// <returns>The providers to try in order, and the name of the rule that chose the first ("default",
    /// "requested" or a rule's name).</returns>
    /// <exception cref="UnknownChatModelException">The caller named a provider that is not configured.</exception>
    public (ChatProvider[] Chain, string Route) Route(ChatRouteHints? hints)
    {
        if (hints is null) return (_chain, "default");
        if (hints.RequestedProvider is { } requested)
        {
            var provider = Find(requested)
                ?? throw new UnknownChatModelException($"There is no chat model '{requested}': choose one of {string.Join(", ", _all.Select(p => p.Name))}.");
            return (Lead(provider), "requested");
        }
        foreach (var rule in _rules)
        {
            if (Matches(rule, hints) && Find(rule.Provider) is { } provider)
                return (Lead(provider), rule.Name);
        }
        return (_chain, "default");
    }

    internal static bool Matches(ChatRouteRule rule, ChatRouteHints hints) =>
        (rule.MaxQuestionWords is not { } words || hints.QuestionWords <= words)
        && (rule.MaxPromptTokens is not { } tokens || hints.PromptTokens <= tokens)
        && (rule.Intents.Count == 0 || rule.Intents.Contains(hints.Intent, StringComparer.OrdinalIgnoreCase));

    private ChatProvider? Find(string name) =>
        _all.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    private ChatProvider[] Lead(ChatProvider first) => [first, .. _chain.Where(p => p != first)];
}

/// <summary>A request named a chat model that is not configured.</summary>
public sealed class UnknownChatModelException(string message) : Exception(message);
