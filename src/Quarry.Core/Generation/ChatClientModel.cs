using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using AI = Microsoft.Extensions.AI;

namespace Quarry.Generation;

/// <summary>
/// Any Microsoft.Extensions.AI <see cref="IChatClient"/> (OpenAI, Azure, Ollama, ONNX, or an app's own) as one
/// provider of Quarry's gateway, so the gateway's limits, breaker, fallback, routing and metering wrap it like any
/// other provider. Failures become <see cref="ChatModelException"/>: transient ones are retried and fail over.
/// </summary>
/// <param name="modelId">The provider-qualified id answers record; null: read from the client's
/// <see cref="ChatClientMetadata"/> (provider:model), else <paramref name="name"/>.</param>
internal sealed class ChatClientModel(IChatClient client, string name, int contextWindow, string? modelId = null) : IChatModel
{
    public string ModelId { get; } = modelId ?? Describe(client, name);

    public int ContextWindow => contextWindow;

    public async Task<ChatCompletion> CompleteAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        ChatResponse response;
        try
        {
            response = await client.GetResponseAsync(Messages(request), Options(request), cancellationToken);
        }
        catch (Exception e) when (Translate(e, cancellationToken) is { } failure)
        {
            throw failure;
        }
        return new ChatCompletion(response.Text, ModelId, Usage(response.Usage), response.FinishReason?.Value);
    }

    public async IAsyncEnumerable<ChatUpdate> StreamAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IAsyncEnumerator<ChatResponseUpdate> updates;
        try
        {
            updates = client.GetStreamingResponseAsync(Messages(request), Options(request), cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception e) when (Translate(e, cancellationToken) is { } failure)
        {
            throw failure;
        }
        await using (updates)
        {
            // The gateway's contract: text deltas, then one last update with the finish reason and usage, which MEAI
            // clients may spread over updates of their own (OpenAI sends usage after the finish). Updates with
            // nothing to say (a role-only first chunk) are dropped, because the gateway treats the first update as
            // the provider having answered, and after that it can no longer fail over.
            string? finish = null;
            TokenUsage? usage = null;
            var first = true;
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await updates.MoveNextAsync()) break;
                    update = updates.Current;
                }
                catch (Exception e) when (Translate(e, cancellationToken) is { } failure)
                {
                    throw failure;
                }
                usage = update.Contents.OfType<UsageContent>().Select(u => Usage(u.Details)).LastOrDefault(u => u is not null) ?? usage;
                finish = update.FinishReason?.Value ?? finish;
                var text = update.Text;
                if (string.IsNullOrEmpty(text)) continue;
                yield return new ChatUpdate(text, Model: first ? ModelId : null);
                first = false;
            }
            if (finish is not null || usage is not null || first)
                yield return new ChatUpdate(null, usage, finish, Model: first ? ModelId : null);
        }
    }

    private static List<AI.ChatMessage> Messages(ChatRequest request) =>
        [.. request.Messages.Select(m => new AI.ChatMessage(
            m.Role switch { ChatRole.System => AI.ChatRole.System, ChatRole.Assistant => AI.ChatRole.Assistant, _ => AI.ChatRole.User },
            m.Content))];

    private static ChatOptions Options(ChatRequest request) =>
        new() { MaxOutputTokens = request.MaxOutputTokens, Temperature = request.Temperature };

    private static TokenUsage? Usage(UsageDetails? usage) =>
        usage is { InputTokenCount: { } input, OutputTokenCount: { } output } ? new TokenUsage((int)input, (int)output) : null;

    private static string Describe(IChatClient client, string name)
    {
        var metadata = client.GetService<ChatClientMetadata>();
        return $"{metadata?.ProviderName ?? name}:{metadata?.DefaultModelId ?? name}";
    }

    /// <summary>Null for the caller's own cancellation (it propagates as it is).</summary>
    private static ChatModelException? Translate(Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested) return null;
        if (exception is ChatModelException known) return known;
        var status = StatusOf(exception);
        var transient = exception is TimeoutException or IOException or OperationCanceledException
            || (exception is HttpRequestException && status is null)
            || status is 408 or 409 or 429 or >= 500;
        return new ChatModelException($"The chat client failed: {exception.Message}", transient, status, inner: exception);
    }

    /// <summary>The HTTP status behind a provider SDK's exception. MEAI has no common exception type: HttpClient
    /// says <see cref="HttpRequestException.StatusCode"/>, System.ClientModel SDKs (OpenAI, Azure) an int
    /// <c>Status</c>, read by name so Core depends on no SDK.</summary>
    private static int? StatusOf(Exception exception)
    {
        if (exception is HttpRequestException { StatusCode: { } code }) return (int)code;
        return exception.GetType().GetProperty("Status")?.GetValue(exception) is int status and >= 100 and < 600 ? status : null;
    }
}
