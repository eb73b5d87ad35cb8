using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Quarry.Documents;
using AI = Microsoft.Extensions.AI;

namespace Quarry.Generation;

/// <summary>
/// Quarry's gateway (limits, retries, breaker, fallback, routing, metering) as a Microsoft.Extensions.AI
/// <see cref="IChatClient"/>, for app code that talks MEAI. Text in, text out: tool calls and images are not part of
/// the gateway's contract and are refused. The tenant is read from <see cref="ChatOptions.AdditionalProperties"/>
/// (<c>quarry.tenant</c>) so per-tenant limits and quotas apply.
/// </summary>
internal sealed class GatewayChatClient(IChatModel gateway) : IChatClient
{
    public const string TenantProperty = "quarry.tenant";
    private const int DefaultMaxOutputTokens = 800;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AI.ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var completion = await gateway.CompleteAsync(Request(messages, options), cancellationToken);
        return new ChatResponse(new AI.ChatMessage(AI.ChatRole.Assistant, completion.Text))
        {
            ModelId = completion.Model,
            FinishReason = completion.FinishReason is { } reason ? new ChatFinishReason(reason) : null,
            Usage = Usage(completion.Usage),
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<AI.ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var update in gateway.StreamAsync(Request(messages, options), cancellationToken))
        {
            var contents = new List<AIContent>();
            if (!string.IsNullOrEmpty(update.TextDelta)) contents.Add(new TextContent(update.TextDelta));
            if (Usage(update.Usage) is { } usage) contents.Add(new UsageContent(usage));
            yield return new ChatResponseUpdate(AI.ChatRole.Assistant, contents)
            {
                ModelId = update.Model,
                FinishReason = update.FinishReason is { } reason ? new ChatFinishReason(reason) : null,
            };
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("quarry", defaultModelId: gateway.ModelId)
        : serviceType == typeof(ChatGatewayInfo) ? new ChatGatewayInfo(gateway.ModelId, gateway.ContextWindow)
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }

    private static ChatRequest Request(IEnumerable<AI.ChatMessage> messages, ChatOptions? options)
    {
        var converted = new List<ChatMessage>();
        foreach (var message in messages)
        {
            if (message.Contents.Any(c => c is not TextContent))
                throw new NotSupportedException("Quarry's gateway carries text messages only (no tool calls, images or other content).");
            var role = message.Role == AI.ChatRole.System ? ChatRole.System : message.Role == AI.ChatRole.Assistant ? ChatRole.Assistant : ChatRole.User;
            converted.Add(new ChatMessage(role, message.Text));
        }
        var tenant = options?.AdditionalProperties?.TryGetValue(TenantProperty, out var value) == true && value is string t ? new TenantId(t) : (TenantId?)null;
        return new ChatRequest(converted, options?.MaxOutputTokens ?? DefaultMaxOutputTokens, tenant, options?.Temperature,
            options?.ModelId is { } model ? new ChatRouteHints(0, 0, "question", model) : null);
    }

    private static UsageDetails? Usage(TokenUsage? usage) =>
        usage is null ? null : new UsageDetails { InputTokenCount = usage.InputTokens, OutputTokenCount = usage.OutputTokens, TotalTokenCount = usage.TotalTokens };
}

/// <summary>What Quarry's gateway answers with by default: the chain's first model and the context window every prompt
/// is budgeted against (the smallest of its providers').</summary>
public sealed record ChatGatewayInfo(string ModelId, int ContextWindow);
