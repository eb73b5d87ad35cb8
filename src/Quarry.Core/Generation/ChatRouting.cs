namespace Quarry.Generation;

/// <summary>
/// Rules that send a request to a provider other than the head of the chain, e.g. short questions over little
/// evidence to a cheaper model. The first rule that matches wins; the rest of the chain stays behind it as fallback.
/// </summary>
public sealed class ChatRoutingOptions
{
    public IList<ChatRouteRule> Rules { get; set; } = [];

    /// <summary>Who may name a provider per request (<c>"model"</c> in /v1/ask): nobody, admin keys, or any key.</summary>
    public RequestedModelPolicy AllowRequestedModel { get; set; } = RequestedModelPolicy.Admin;
}

public enum RequestedModelPolicy
{
    None,
    Admin,
    Any,
}

/// <summary>A routing rule: every condition that is set must hold.</summary>
public sealed class ChatRouteRule
{
    /// <summary>Shown in the <c>ai_llm_route_total</c> metric and the trace.</summary>
    public string Name { get; set; } = "";

    /// <summary>The provider (by <see cref="ChatProviderOptions.Name"/>) that answers when the rule matches.</summary>
    public string Provider { get; set; } = "";

    /// <summary>The question has at most this many words.</summary>
    public int? MaxQuestionWords { get; set; }

    /// <summary>The whole prompt (instructions, history, evidence, question) has at most this many tokens.</summary>
    public int? MaxPromptTokens { get; set; }

    /// <summary>The question's intent is one of these: <c>definition</c>, <c>changes</c>, <c>question</c>, <c>summary</c>
    /// (the map and reduce calls of a summary).</summary>
    public IList<string> Intents { get; set; } = [];
}

/// <summary>What routing looks at for one request.</summary>
/// <param name="QuestionWords">Words in the user's question.</param>
/// <param name="PromptTokens">Tokens of the built prompt.</param>
/// <param name="Intent">definition, changes, question or summary.</param>
/// <param name="RequestedProvider">A provider the caller named and was allowed to name, or null.</param>
public sealed record ChatRouteHints(int QuestionWords, int PromptTokens, string Intent, string? RequestedProvider = null);
