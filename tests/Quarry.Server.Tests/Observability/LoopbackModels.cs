using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests.Observability;

/// <summary>
/// A loopback OpenAI-compatible provider: <c>POST /v1/embeddings</c> (8 dimensions) and <c>POST /v1/chat/completions</c>
/// (JSON or streamed, with usage), answering with the first sentence of the first evidence block and [1]. It keeps the
/// <c>traceparent</c> header of every request, so a test can see the trace reach the provider.
/// </summary>
internal sealed class LoopbackModels : LoopbackHttpServer
{
    public const string ChatModel = "gpt-test";
    /// <summary>Quarry's id of the model (answers, metrics and logs name it so).</summary>
    public const string ChatModelId = "openai:gpt-test";
    public const int PromptTokens = 120;
    public const int CompletionTokens = 12;

    private readonly Func<string, string> _answer;
    private readonly Func<string, string?>? _reply;

    /// <param name="answer">Shapes the answer from the verifiable first sentence (default: that sentence and [1]).</param>
    /// <param name="reply">Given the whole prompt, a reply that replaces the answer (null: answer as usual).</param>
    public LoopbackModels(Func<string, string>? answer = null, Func<string, string?>? reply = null)
    {
        _answer = answer ?? (sentence => sentence + " [1]");
        _reply = reply;
    }

    /// <summary>The body of every chat completion request received.</summary>
    public ConcurrentQueue<JsonNode> ChatRequests { get; } = new();

    public Uri Endpoint => new(BaseAddress, "v1");

    /// <summary>(path, traceparent) of every request received.</summary>
    public ConcurrentQueue<(string Path, string? TraceParent)> Requests { get; } = new();

    protected override async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        var path = context.Request.Url!.AbsolutePath;
        Requests.Enqueue((path, context.Request.Headers["traceparent"]));
        var body = (await JsonNode.ParseAsync(context.Request.InputStream))!;
        if (path.EndsWith("/embeddings", StringComparison.Ordinal)) await EmbedAsync(response, body);
        else if (path.EndsWith("/chat/completions", StringComparison.Ordinal)) await ChatAsync(response, body);
        else response.StatusCode = 404;
    }

    private static async Task EmbedAsync(HttpListenerResponse response, JsonNode body)
    {
        var inputs = body["input"] is JsonArray array ? array.Select(i => i!.GetValue<string>()).ToList() : [body["input"]!.GetValue<string>()];
        var base64 = body["encoding_format"]?.GetValue<string>() == "base64";
        var data = new JsonArray();
        for (var i = 0; i < inputs.Count; i++)
        {
            var text = inputs[i];
            var vector = Enumerable.Range(0, 8).Select(d => (float)(text.Count(c => c % 8 == d) + 1)).ToArray();
            JsonNode embedding = base64
                ? JsonValue.Create(Convert.ToBase64String(vector.SelectMany(BitConverter.GetBytes).ToArray()))
                : new JsonArray(vector.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = embedding });
        }
        await WriteAsync(response, new JsonObject { ["object"] = "list", ["data"] = data, ["model"] = "fake-embedder" }.ToJsonString());
    }

    private async Task ChatAsync(HttpListenerResponse response, JsonNode body)
    {
        ChatRequests.Enqueue(body);
        var prompt = string.Join("\n", body["messages"]!.AsArray().Select(m => m!["content"]?.ToString() ?? ""));
        var answer = _reply?.Invoke(prompt) ?? _answer(FirstEvidenceSentence(prompt));
        var usage = new JsonObject { ["prompt_tokens"] = PromptTokens, ["completion_tokens"] = CompletionTokens, ["total_tokens"] = PromptTokens + CompletionTokens };
        if (body["stream"]?.GetValue<bool>() != true)
        {
            await WriteAsync(response, new JsonObject
            {
                ["id"] = "chatcmpl-1",
                ["object"] = "chat.completion",
                ["model"] = ChatModel,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = answer },
                    ["finish_reason"] = "stop",
                }),
                ["usage"] = usage,
            }.ToJsonString());
            return;
        }
        response.ContentType = "text/event-stream";
        var sse = new StringBuilder();
        for (var i = 0; i < answer.Length; i += 12)
            sse.Append("data: ").Append(Chunk(new JsonObject { ["content"] = answer.Substring(i, Math.Min(12, answer.Length - i)) }, null, null)).Append("\n\n");
        sse.Append("data: ").Append(Chunk(new JsonObject(), "stop", null)).Append("\n\n");
        sse.Append("data: ").Append(new JsonObject { ["id"] = "chatcmpl-1", ["object"] = "chat.completion.chunk", ["model"] = ChatModel, ["choices"] = new JsonArray(), ["usage"] = usage }.ToJsonString()).Append("\n\n");
        sse.Append("data: [DONE]\n\n");
        var bytes = Encoding.UTF8.GetBytes(sse.ToString());
        await response.OutputStream.WriteAsync(bytes);
    }

    private static string Chunk(JsonObject delta, string? finish, JsonObject? usage) => new JsonObject
    {
        ["id"] = "chatcmpl-1",
        ["object"] = "chat.completion.chunk",
        ["model"] = ChatModel,
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
        ["usage"] = usage,
    }.ToJsonString();

    // Evidence blocks are fenced by <<< and >>>; the answer repeats the first block's first sentence, so it verifies.
    private static string FirstEvidenceSentence(string prompt)
    {
        var open = prompt.IndexOf("<<<", StringComparison.Ordinal);
        var close = open < 0 ? -1 : prompt.IndexOf(">>>", open, StringComparison.Ordinal);
        if (close < 0) return "Not found in the knowledge base.";
        var text = prompt[(open + 3)..close].Trim();
        var end = text.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? text : text[..(end + 1)];
    }

    private static async Task WriteAsync(HttpListenerResponse response, string json)
    {
        response.ContentType = "application/json";
        await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(json));
    }

}
