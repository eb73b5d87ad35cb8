using System.ClientModel;
using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using System.Text;
using OpenAI;
using OpenAI.Chat;
using Quarry.Generation;
using SdkChatMessage = OpenAI.Chat.ChatMessage;
using SdkCompletion = OpenAI.Chat.ChatCompletion;

namespace Quarry.Models.OpenAI;

/// <summary>
/// A chat model behind any server speaking OpenAI's <c>POST /chat/completions</c>, through the official SDK's
/// <see cref="ChatClient"/>. One attempt per call: the SDK's retries are off, and timeouts, retries, breaker, rate
/// limits and fallback belong to the gateway around it. Cancelling the caller's token aborts the HTTP request.
/// </summary>
internal sealed class OpenAIChatModel : IChatModel
{
    private const string PlaceholderApiKey = "no-key";

    private readonly ChatClient _client;
    private readonly Uri _endpoint;
    private readonly string _model;
    private readonly bool _legacyMaxTokens;
    private readonly TimeProvider _time;

    public OpenAIChatModel(OpenAIChatProviderOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Endpoint);
        _time = time;
        _model = options.RequestModel;
        _legacyMaxTokens = options.MaxTokensParameter == OpenAIChatProviderOptions.MaxTokens;
        ModelId = options.ModelId;
        ContextWindow = options.ContextWindow;
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
        _client = new ChatClient(_model, new ApiKeyCredential(string.IsNullOrEmpty(options.ApiKey) ? PlaceholderApiKey : options.ApiKey), clientOptions);
    }

    public string ModelId { get; }

    public int ContextWindow { get; }

    public async Task<Generation.ChatCompletion> CompleteAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var messages = ToMessages(request);
        var options = ToOptions(request);
        SdkCompletion completion;
        try
        {
            completion = (await _client.CompleteChatAsync(messages, options, cancellationToken)).Value;
        }
        catch (Exception e) when (!IsCallerCancellation(e, cancellationToken))
        {
            throw Failure(e);
        }
        return ToCompletion(completion);
    }

    public async IAsyncEnumerable<ChatUpdate> StreamAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The SDK asks for stream_options.include_usage, so servers that support it send a final usage chunk.
        var updates = _client.CompleteChatStreamingAsync(ToMessages(request), ToOptions(request), cancellationToken);
        await using var enumerator = updates.GetAsyncEnumerator(cancellationToken);
        string? finishReason = null;
        TokenUsage? usage = null;
        var first = true;
        while (await NextAsync(enumerator, cancellationToken))
        {
            var update = enumerator.Current;
            if (update.Usage is { } reported)
                usage = new TokenUsage(reported.InputTokenCount, reported.OutputTokenCount);
            if (update.FinishReason is { } finish)
                finishReason = WireName(finish);
            var text = TextOf(update.ContentUpdate);
            if (text.Length == 0)
                continue;
            yield return new ChatUpdate(text, Model: first ? ModelId : null);
            first = false;
        }
        if (finishReason is null)
        {
            // [DONE] or the connection's end without a finish_reason: the answer may be cut off mid-sentence.
            throw new ChatModelException($"The chat endpoint {_endpoint} ended the stream for model '{_model}' before the model finished (no finish_reason).", isTransient: true);
        }
        // The contract puts the finish reason and usage on one last update, though usage arrives in a chunk of its own.
        yield return new ChatUpdate(null, usage, finishReason, Model: first ? ModelId : null);
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

    private Generation.ChatCompletion ToCompletion(SdkCompletion completion)
    {
        string text;
        ChatFinishReason finish;
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
        var usage = completion.Usage is { } u ? new TokenUsage(u.InputTokenCount, u.OutputTokenCount) : null;
        if (usage is { InputTokens: < 0 } or { OutputTokens: < 0 })
            throw Malformed($"reported negative token usage ({usage.InputTokens}, {usage.OutputTokens})");
        return new Generation.ChatCompletion(text, ModelId, usage, WireName(finish));
    }

    private ChatCompletionOptions ToOptions(ChatRequest request)
    {
        if (request.MaxOutputTokens <= 0)
            throw new ArgumentOutOfRangeException(nameof(request), request.MaxOutputTokens, "MaxOutputTokens must be positive.");
        var options = new ChatCompletionOptions { Temperature = request.Temperature };
        if (_legacyMaxTokens)
        {
#pragma warning disable SCME0001 // JsonPatch is experimental; it is the SDK's way to send a field it has no property for.
            options.Patch.Set("$.max_tokens"u8, request.MaxOutputTokens);
#pragma warning restore SCME0001
        }
        else
        {
            options.MaxOutputTokenCount = request.MaxOutputTokens;
        }
        return options;
    }

    private static List<SdkChatMessage> ToMessages(ChatRequest request)
    {
        if (request.Messages.Count == 0)
            throw new ArgumentException("A chat request needs at least one message.", nameof(request));
        var messages = new List<SdkChatMessage>(request.Messages.Count);
        foreach (var message in request.Messages)
        {
            messages.Add(message.Role switch
            {
                ChatRole.System => new SystemChatMessage(message.Content),
                ChatRole.User => new UserChatMessage(message.Content),
                ChatRole.Assistant => new AssistantChatMessage(message.Content),
                _ => throw new ArgumentOutOfRangeException(nameof(request), message.Role, "Unknown chat role."),
            });
        }
        return messages;
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
    private static string WireName(ChatFinishReason reason) => reason switch
    {
        ChatFinishReason.Stop => "stop",
        ChatFinishReason.Length => "length",
        ChatFinishReason.ContentFilter => "content_filter",
        ChatFinishReason.ToolCalls => "tool_calls",
        ChatFinishReason.FunctionCall => "function_call",
        _ => reason.ToString().ToLowerInvariant(),
    };

    private ChatModelException Failure(Exception exception) =>
        ProviderErrors.ToChatModelException(exception, _endpoint, _model, _time.GetUtcNow());

    private ChatModelException Malformed(string problem) =>
        new($"The chat endpoint {_endpoint} {problem} for model '{_model}'.", isTransient: false);

    private static bool IsCallerCancellation(Exception exception, CancellationToken cancellationToken) =>
        exception is OperationCanceledException && cancellationToken.IsCancellationRequested;
}
