using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Quarry.Server.Tests.Observability;

/// <summary>
/// A loopback OpenAI-compatible provider: <c>POST /v1/embeddings</c> (8 dimensions) and <c>POST /v1/chat/completions</c>
/// (JSON or streamed, with usage), answering with the first sentence of the first evidence block and [1]. It keeps the
/// <c>traceparent</c> header of every request, so a test can see the trace reach the provider.
/// </summary>
internal sealed class LoopbackModels : IAsyncDisposable
{
    public const string ChatModel = "gpt-test";
    /// <summary>Quarry's id of the model (answers, metrics and logs name it so).</summary>
    public const string ChatModelId = "openai:gpt-test";
    public const int PromptTokens = 120;
    public const int CompletionTokens = 12;

    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public LoopbackModels()
    {
        var port = FreePort();
        Endpoint = new Uri($"http://127.0.0.1:{port}/v1");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri Endpoint { get; }

    /// <summary>(path, traceparent) of every request received.</summary>
    public ConcurrentQueue<(string Path, string? TraceParent)> Requests { get; } = new();

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            using var response = context.Response;
            var path = context.Request.Url!.AbsolutePath;
            Requests.Enqueue((path, context.Request.Headers["traceparent"]));
            var body = (await JsonNode.ParseAsync(context.Request.InputStream))!;
            if (path.EndsWith("/embeddings", StringComparison.Ordinal)) await EmbedAsync(response, body);
            else if (path.EndsWith("/chat/completions", StringComparison.Ordinal)) await ChatAsync(response, body);
            else response.StatusCode = 404;
        }
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

    private static async Task ChatAsync(HttpListenerResponse response, JsonNode body)
    {
        var prompt = string.Join("\n", body["messages"]!.AsArray().Select(m => m!["content"]?.ToString() ?? ""));
        var answer = FirstEvidenceSentence(prompt) + " [1]";
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
        foreach (var piece in answer.Split(' '))
            sse.Append("data: ").Append(Chunk(new JsonObject { ["content"] = piece + " " }, null, null)).Append("\n\n");
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

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
