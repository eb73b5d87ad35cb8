using System.ClientModel;
using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using System.Text;
using OpenAI;
using OpenAI.Chat;
using Microsoft.Extensions.AI;
using Quarry.Generation;
using AI = Microsoft.Extensions.AI;
using SdkChatMessage = OpenAI.Chat.ChatMessage;
using SdkCompletion = OpenAI.Chat.ChatCompletion;
using SdkFinishReason = OpenAI.Chat.ChatFinishReason;

namespace Quarry.Models.OpenAI;

/// <summary>
/// Any server speaking OpenAI's <c>POST /chat/completions</c> as a Microsoft.Extensions.AI <see cref="IChatClient"/>,
/// through the official SDK's <see cref="ChatClient"/>: the same seam every other provider of the gateway plugs into.
/// One attempt per call: the SDK's retries are off, and timeouts, retries, breaker, rate limits and fallback belong to
/// the gateway around it. Cancelling the caller's token aborts the HTTP request. Failures are
/// <see cref="ChatModelException"/>s that say whether a retry may help and carry the provider's Retry-After.
/// </summary>
internal sealed class OpenAIChatClient : IChatClient
{
    private const string PlaceholderApiKey = "no-key";

    private readonly ChatClient _client;
    private readonly Uri _endpoint;
    private readonly string _model;
    private readonly bool _legacyMaxTokens;
    private readonly TimeProvider _time;

    private readonly ChatClientMetadata _metadata;

    public OpenAIChatClient(OpenAIChatProviderOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Endpoint);
        _time = time;
        _model = options.RequestModel;
        _legacyMaxTokens = options.MaxTokensParameter == OpenAIChatProviderOptions.MaxTokens;
        ModelId = options.ModelId;
        _endpoint = options.IsAzureDeployment
            ? new Uri(options.Endpoint.AbsoluteUri.TrimEnd('/') + "/openai/deployments/" + Uri.EscapeDataString(options.Deployment!))
            : options.Endpoint;
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = _endpoint,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            // The gateway's attempt timeout decides; the SDK's network timeout is only a backstop behind it.
            // (The gateway validates the timeout; a bad one here must not make the backstop fire first.)
            NetworkTimeout = (options.Timeout > TimeSpan.Zero ? options.Timeout : TimeSpan.Zero) + TimeSpan.FromSeconds(30),
        };
        if (options.IsAzureDeployment)
            clientOptions.AddPolicy(new AzureDeploymentPolicy(options.ApiKey, options.ApiVersion), PipelinePosition.BeforeTransport);
        _metadata = new ChatClientMetadata(options.IsAzureDeployment ? "azure" : "openai", _endpoint, options.IsAzureDeployment ? options.Deployment : _model);
        _client = new ChatClient(_model, new ApiKeyCredential(string.IsNullOrEmpty(options.ApiKey) ? PlaceholderApiKey : options.ApiKey), clientOptions);
    }

    /// <summary>Provider-qualified, e.g. "openai:gpt-4o-mini" or "azure:my-deployment".</summary>
    public string ModelId { get; }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AI.ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var sdkMessages = ToMessages(messages);
        var sdkOptions = ToOptions(options);
        SdkCompletion completion;
        try
        {
            completion = (await _client.CompleteChatAsync(sdkMessages, sdkOptions, cancellationToken)).Value;
        }
        catch (Exception e) when (!IsCallerCancellation(e, cancellationToken))
        {
            throw Failure(e);
        }
        return ToResponse(completion);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<AI.ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // The SDK asks for stream_options.include_usage, so servers that support it send a final usage chunk.
        var updates = _client.CompleteChatStreamingAsync(ToMessages(messages), ToOptions(options), cancellationToken);
        await using var enumerator = updates.GetAsyncEnumerator(cancellationToken);
        string? finishReason = null;
        UsageDetails? usage = null;
        while (await NextAsync(enumerator, cancellationToken))
        {
            var update = enumerator.Current;
            if (update.Usage is { } reported)
                usage = Usage(reported.InputTokenCount, reported.OutputTokenCount);
            if (update.FinishReason is { } finish)
                finishReason = WireName(finish);
            var text = TextOf(update.ContentUpdate);
            if (text.Length == 0)
                continue;
            yield return new ChatResponseUpdate(AI.ChatRole.Assistant, text) { ModelId = ModelId };
        }
        if (finishReason is null)
        {
            // [DONE] or the connection's end without a finish_reason: the answer may be cut off mid-sentence.
            throw new ChatModelException($"The chat endpoint {_endpoint} ended the stream for model '{_model}' before the model finished (no finish_reason).", isTransient: true);
        }
        // Usage arrives in a chunk of its own after the finish reason; both go out together, last.
        yield return new ChatResponseUpdate(AI.ChatRole.Assistant, usage is null ? [] : [new UsageContent(usage)])
        {
            ModelId = ModelId,
            FinishReason = new AI.ChatFinishReason(finishReason),
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceType == typeof(ChatClient) ? _client
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }

    private async ValueTask<bool> NextAsync(IAsyncEnumerator<StreamingChatCompletionUpdate> enumerator, CancellationToken cancellationToken)
    {
        try
        {
            return await enumerator.MoveNextAsync();
        }
        catch (Exception e) when (!IsCallerCancellation(e, cancellationToken))
        {
            throw Failure(e);
        }
    }

    private ChatResponse ToResponse(SdkCompletion completion)
    {
        string text;
        SdkFinishReason finish;
        try
        {
            text = TextOf(completion.Content);
            finish = completion.FinishReason;
        }
        catch (ArgumentOutOfRangeException)
        {
            // The SDK reads choices[0]: a response without choices lands here.
            throw Malformed("returned no choices");
        }
        if (text.Length == 0 && !string.IsNullOrEmpty(completion.Refusal))
            text = completion.Refusal;
        if (completion.Usage is { InputTokenCount: < 0 } or { OutputTokenCount: < 0 })
            throw Malformed($"reported negative token usage ({completion.Usage.InputTokenCount}, {completion.Usage.OutputTokenCount})");
        return new ChatResponse(new AI.ChatMessage(AI.ChatRole.Assistant, text))
        {
            ModelId = ModelId,
            FinishReason = new AI.ChatFinishReason(WireName(finish)),
            Usage = completion.Usage is { } u ? Usage(u.InputTokenCount, u.OutputTokenCount) : null,
        };
    }

    private static UsageDetails Usage(int input, int output) =>
        new() { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };

    private ChatCompletionOptions ToOptions(ChatOptions? options)
    {
        if (options?.MaxOutputTokens is <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxOutputTokens, "MaxOutputTokens must be positive.");
        var sdk = new ChatCompletionOptions { Temperature = options?.Temperature };
        if (options?.MaxOutputTokens is not { } max)
            return sdk;
        if (_legacyMaxTokens)
        {
#pragma warning disable SCME0001 // JsonPatch is experimental; it is the SDK's way to send a field it has no property for.
            sdk.Patch.Set("$.max_tokens"u8, max);
#pragma warning restore SCME0001
        }
        else
        {
            sdk.MaxOutputTokenCount = max;
        }
        return sdk;
    }

    private static List<SdkChatMessage> ToMessages(IEnumerable<AI.ChatMessage> messages)
    {
        var converted = new List<SdkChatMessage>();
        foreach (var message in messages)
        {
            if (message.Contents.Any(c => c is not TextContent))
                throw new NotSupportedException("This provider carries text messages only (no tool calls, images or other content).");
            converted.Add(message.Role == AI.ChatRole.System ? new SystemChatMessage(message.Text)
                : message.Role == AI.ChatRole.User ? new UserChatMessage(message.Text)
                : message.Role == AI.ChatRole.Assistant ? new AssistantChatMessage(message.Text)
                : throw new ArgumentOutOfRangeException(nameof(messages), message.Role, "Unknown chat role."));
        }
        if (converted.Count == 0)
            throw new ArgumentException("A chat request needs at least one message.", nameof(messages));
        return converted;
    }

    private static string TextOf(ChatMessageContent content)
    {
        if (content.Count == 1)
            return content[0].Text ?? "";
        var text = new StringBuilder();
        foreach (var part in content)
        {
            if (part.Kind == ChatMessageContentPartKind.Text)
                text.Append(part.Text);
        }
        return text.ToString();
    }

    /// <summary>The finish reason as the wire protocol spells it.</summary>
    private static string WireName(SdkFinishReason reason) => reason switch
    {
        SdkFinishReason.Stop => "stop",
        SdkFinishReason.Length => "length",
        SdkFinishReason.ContentFilter => "content_filter",
        SdkFinishReason.ToolCalls => "tool_calls",
        SdkFinishReason.FunctionCall => "function_call",
        _ => reason.ToString().ToLowerInvariant(),
    };

    private ChatModelException Failure(Exception exception) =>
        ProviderErrors.ToChatModelException(exception, _endpoint, _model, _time.GetUtcNow());

    private ChatModelException Malformed(string problem) =>
        new($"The chat endpoint {_endpoint} {problem} for model '{_model}'.", isTransient: false);

    private static bool IsCallerCancellation(Exception exception, CancellationToken cancellationToken) =>
        exception is OperationCanceledException && cancellationToken.IsCancellationRequested;
}
