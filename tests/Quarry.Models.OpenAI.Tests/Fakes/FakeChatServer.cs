using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Quarry.Testing;

/// <summary>
/// A loopback HTTP/1.1 server speaking OpenAI's <c>POST /v1/chat/completions</c> as the real service does: JSON
/// completions, <c>stream: true</c> server-sent events (a role chunk, content deltas, a finish chunk, a usage chunk
/// when <c>stream_options.include_usage</c> is asked for, <c>data: [DONE]</c>), error bodies with Retry-After,
/// connection resets and stalls. Replies are scripted per request with <see cref="Then"/>; requests beyond the script
/// get <see cref="Default"/>.
/// <para>It sits on a raw socket rather than HttpListener so that it can reset a connection (RST) and see a client
/// abort a request (<see cref="ClientAborts"/>). BCL only, so other test projects can link this file.</para>
/// </summary>
public sealed class FakeChatServer : IAsyncDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(20);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentQueue<ChatReply> _script = new();
    private readonly ConcurrentQueue<ChatServerRequest> _requests = new();
    private readonly ConcurrentDictionary<Task, bool> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private int _clientAborts;

    public FakeChatServer()
    {
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _loop = AcceptLoopAsync();
    }

    public Uri BaseAddress { get; }

    /// <summary>What to configure as the endpoint: the SDK appends <c>/chat/completions</c>.</summary>
    public Uri Endpoint => new(BaseAddress, "v1");

    /// <summary>The reply to requests beyond the script.</summary>
    public ChatReply Default { get; set; } = ChatReply.Answer("The answer is 42 [1].");

    public IReadOnlyList<ChatServerRequest> Requests => [.. _requests];

    /// <summary>Requests whose client went away (closed or reset the connection) before the reply was complete.</summary>
    public int ClientAborts => Volatile.Read(ref _clientAborts);

    public FakeChatServer Then(ChatReply reply)
    {
        _script.Enqueue(reply);
        return this;
    }

    public Task WaitForRequestsAsync(int count, TimeSpan? within = null) =>
        WaitUntilAsync(() => _requests.Count >= count, $"{count} request(s) (got {_requests.Count})", within);

    public Task WaitForClientAbortsAsync(int count, TimeSpan? within = null) =>
        WaitUntilAsync(() => ClientAborts >= count, $"{count} client abort(s) (got {ClientAborts})", within);

    private static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? within)
    {
        var deadline = Environment.TickCount64 + (long)(within ?? DefaultWait).TotalMilliseconds;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
                throw new TimeoutException($"The fake chat server did not see {what} in time.");
            await Task.Delay(5);
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                return;
            }
            var connection = ServeAsync(client);
            _connections.TryAdd(connection, true);
            _ = connection.ContinueWith(t => _connections.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        client.NoDelay = true;
        var stream = client.GetStream();
        ChatServerRequest? request;
        try
        {
            request = await HttpWire.ReadRequestAsync(stream, _stopping.Token);
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidDataException)
        {
            return;
        }
        if (request is null)
            return;
        _requests.Enqueue(request);
        var reply = _script.TryDequeue(out var scripted) ? scripted : Default;
        await using var exchange = new ChatExchange(client, stream, request, _stopping.Token);
        try
        {
            await reply.RunAsync(exchange);
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // A write failed: the client is gone.
            exchange.ClientWentAway();
        }
        if (exchange.AbortedByClient)
            Interlocked.Increment(ref _clientAborts);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
            await Task.WhenAll(_connections.Keys).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception)
        {
            // Shutting down: connections end with the token.
        }
        _stopping.Dispose();
    }
}

/// <summary>A request as the server received it, with the chat fields parsed from its JSON body.</summary>
public sealed record ChatServerRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonObject Json { get; } = JsonNode.Parse(Body.Length == 0 ? "{}" : Body) as JsonObject ?? [];

    public string? Model => Json["model"]?.GetValue<string>();

    public bool Stream => Json["stream"]?.GetValue<bool>() ?? false;

    public bool IncludeUsage => Json["stream_options"]?["include_usage"]?.GetValue<bool>() ?? false;

    public int? MaxCompletionTokens => Json["max_completion_tokens"]?.GetValue<int>();

    public int? MaxTokens => Json["max_tokens"]?.GetValue<int>();

    public double? Temperature => Json["temperature"]?.GetValue<double>();

    public IReadOnlyList<(string Role, string Content)> Messages =>
        Json["messages"] is JsonArray messages
            ? [.. messages.Select(m => (m!["role"]!.GetValue<string>(), m["content"] is JsonValue v ? v.GetValue<string>() : m["content"]?.ToJsonString() ?? ""))]
            : [];

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>One scripted reply.</summary>
public sealed class ChatReply
{
    private readonly Func<ChatExchange, Task> _run;

    private ChatReply(Func<ChatExchange, Task> run) => _run = run;

    internal Task RunAsync(ChatExchange exchange) => _run(exchange);

    /// <summary>A completion of <paramref name="text"/>: JSON, or for <c>stream: true</c> one SSE chunk per word.</summary>
    public static ChatReply Answer(string text, int? promptTokens = null, int? completionTokens = null, string finishReason = "stop") =>
        Answer(_ => text, promptTokens, completionTokens, finishReason);

    /// <summary>A completion composed from the request (e.g. quoting the evidence it was sent, or citing [7]).</summary>
    public static ChatReply Answer(Func<ChatServerRequest, string> compose, int? promptTokens = null, int? completionTokens = null, string finishReason = "stop") =>
        new(async exchange =>
        {
            var request = exchange.Request;
            var text = compose(request);
            var usage = ChatWire.Usage(promptTokens ?? ChatWire.CountTokens(request), completionTokens ?? ChatWire.Words(text).Count);
            if (!request.Stream)
            {
                await exchange.WriteJsonAsync(200, ChatWire.Completion(request.Model, text, finishReason, usage));
                return;
            }
            await exchange.StartEventStreamAsync();
            await exchange.SendEventAsync(ChatWire.Chunk(request.Model, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null));
            foreach (var word in ChatWire.Words(text))
                await exchange.SendEventAsync(ChatWire.Chunk(request.Model, new JsonObject { ["content"] = word }, null));
            await exchange.SendEventAsync(ChatWire.Chunk(request.Model, [], finishReason));
            if (request.IncludeUsage)
                await exchange.SendEventAsync(ChatWire.UsageChunk(request.Model, usage));
            await exchange.SendEventAsync("[DONE]");
            await exchange.EndEventStreamAsync();
        });

    /// <summary>An error status with OpenAI's error body, and optionally Retry-After (seconds or an HTTP date).</summary>
    public static ChatReply Status(int status, string? retryAfter = null, string? message = null) =>
        new(exchange =>
        {
            var body = ChatWire.Error(status, message);
            return exchange.WriteJsonAsync(status, body, retryAfter is null ? [] : [("Retry-After", retryAfter)]);
        });

    /// <summary>Resets the connection (TCP RST) without answering.</summary>
    public static ChatReply ConnectionReset { get; } = new(exchange =>
    {
        exchange.Reset();
        return Task.CompletedTask;
    });

    /// <summary>Never answers; ends when the client gives up (counted in <see cref="FakeChatServer.ClientAborts"/>).</summary>
    public static ChatReply Hang { get; } = new(exchange => exchange.HangAsync());

    /// <summary>Starts answering, then goes silent with the connection open: a stream sends the role chunk and its
    /// first <paramref name="chunks"/> words; a JSON answer sends its headers and half its body.</summary>
    public static ChatReply StallAfter(string text, int chunks) => new(async exchange =>
    {
        var request = exchange.Request;
        if (!request.Stream)
        {
            var body = ChatWire.Completion(request.Model, text, "stop", null).ToJsonString();
            await exchange.StartChunkedAsync("application/json");
            await exchange.SendChunkAsync(body[..(body.Length / 2)]);
            await exchange.HangAsync();
            return;
        }
        await exchange.StartEventStreamAsync();
        await exchange.SendEventAsync(ChatWire.Chunk(request.Model, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null));
        foreach (var word in ChatWire.Words(text).Take(chunks))
            await exchange.SendEventAsync(ChatWire.Chunk(request.Model, new JsonObject { ["content"] = word }, null));
        await exchange.HangAsync();
    });

    /// <summary>Streams the first <paramref name="chunks"/> words, then resets the connection.</summary>
    public static ChatReply ResetAfter(string text, int chunks) => new(async exchange =>
    {
        var request = exchange.Request;
        await exchange.StartEventStreamAsync();
        foreach (var word in ChatWire.Words(text).Take(chunks))
            await exchange.SendEventAsync(ChatWire.Chunk(request.Model, new JsonObject { ["content"] = word }, null));
        exchange.Reset();
    });

    /// <summary>Streams the text and <c>[DONE]</c> but never a finish_reason, as a proxy that cut the stream might.</summary>
    public static ChatReply StreamWithoutFinish(string text) => new(async exchange =>
    {
        var request = exchange.Request;
        await exchange.StartEventStreamAsync();
        foreach (var word in ChatWire.Words(text))
            await exchange.SendEventAsync(ChatWire.Chunk(request.Model, new JsonObject { ["content"] = word }, null));
        await exchange.SendEventAsync("[DONE]");
        await exchange.EndEventStreamAsync();
    });

    /// <summary>A 200 whose JSON is cut off.</summary>
    public static ChatReply MalformedJson { get; } = new(exchange =>
        exchange.WriteRawAsync(200, """{"id":"chatcmpl-x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hal"""));

    /// <summary>A 200 with an empty <c>choices</c> array.</summary>
    public static ChatReply NoChoices { get; } = new(exchange =>
    {
        var body = ChatWire.Completion(exchange.Request.Model, "", "stop", ChatWire.Usage(5, 0));
        body["choices"] = new JsonArray();
        return exchange.WriteJsonAsync(200, body);
    });
}

/// <summary>The server's side of one request: write helpers, and whether the client went away first.</summary>
public sealed class ChatExchange : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly CancellationToken _stopping;
    private readonly Task _clientGone;
    private readonly CancellationTokenSource _stopWatching = new();
    private bool _completed;
    private bool _abortedByClient;

    internal ChatExchange(TcpClient client, NetworkStream stream, ChatServerRequest request, CancellationToken stopping)
    {
        _client = client;
        _stream = stream;
        _stopping = stopping;
        Request = request;
        _clientGone = WatchClientAsync();
    }

    public ChatServerRequest Request { get; }

    internal bool AbortedByClient => _abortedByClient;

    internal void ClientWentAway()
    {
        if (!_completed)
            _abortedByClient = true;
    }

    /// <summary>With <c>Connection: close</c> the client sends nothing more: a read that ends means it closed or reset.</summary>
    private async Task WatchClientAsync()
    {
        var buffer = new byte[256];
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stopping, _stopWatching.Token);
            while (await _stream.ReadAsync(buffer, linked.Token) > 0)
            {
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
        }
        ClientWentAway();
    }

    public Task WriteJsonAsync(int status, JsonNode body, IEnumerable<(string Name, string Value)>? headers = null) =>
        WriteRawAsync(status, body.ToJsonString(), headers);

    public async Task WriteRawAsync(int status, string body, IEnumerable<(string Name, string Value)>? headers = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = HttpWire.StatusLine(status)
            + "Content-Type: application/json\r\n"
            + string.Concat((headers ?? []).Select(h => $"{h.Name}: {h.Value}\r\n"))
            + $"Content-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stopping);
        await _stream.WriteAsync(bytes, _stopping);
        await _stream.FlushAsync(_stopping);
        _completed = true;
    }

    public Task StartEventStreamAsync() => StartChunkedAsync("text/event-stream; charset=utf-8", "Cache-Control: no-cache\r\n");

    public async Task StartChunkedAsync(string contentType, string extraHeaders = "")
    {
        var head = HttpWire.StatusLine(200) + $"Content-Type: {contentType}\r\n{extraHeaders}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stopping);
        await _stream.FlushAsync(_stopping);
    }

    /// <summary>One server-sent event, <c>data: …</c>, in a chunk of its own and flushed.</summary>
    public Task SendEventAsync(JsonNode data) => SendEventAsync(data.ToJsonString());

    public Task SendEventAsync(string data) => SendChunkAsync($"data: {data}\n\n");

    public async Task SendChunkAsync(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await _stream.WriteAsync(Encoding.ASCII.GetBytes($"{bytes.Length:x}\r\n"), _stopping);
        await _stream.WriteAsync(bytes, _stopping);
        await _stream.WriteAsync("\r\n"u8.ToArray(), _stopping);
        await _stream.FlushAsync(_stopping);
    }

    public async Task EndEventStreamAsync()
    {
        await _stream.WriteAsync("0\r\n\r\n"u8.ToArray(), _stopping);
        await _stream.FlushAsync(_stopping);
        _completed = true;
    }

    /// <summary>Waits, saying nothing, until the client goes away or the server stops.</summary>
    public async Task HangAsync()
    {
        try
        {
            await _clientGone.WaitAsync(_stopping);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Closes with linger 0, which sends a TCP RST rather than a FIN.</summary>
    public void Reset()
    {
        _completed = true;
        _client.Client.LingerState = new LingerOption(true, 0);
        _client.Client.Close();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopWatching.CancelAsync();
        try
        {
            await _clientGone;
        }
        catch (Exception)
        {
        }
        _stopWatching.Dispose();
    }
}

/// <summary>The bodies OpenAI sends.</summary>
public static class ChatWire
{
    private const long Created = 1_735_689_600;

    public static JsonObject Completion(string? model, string text, string finishReason, JsonObject? usage)
    {
        var body = new JsonObject
        {
            ["id"] = "chatcmpl-fake",
            ["object"] = "chat.completion",
            ["created"] = Created,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text, ["refusal"] = null },
                ["logprobs"] = null,
                ["finish_reason"] = finishReason,
            }),
            ["system_fingerprint"] = "fp_fake",
        };
        if (usage is not null)
            body["usage"] = usage;
        return body;
    }

    public static JsonObject Chunk(string? model, JsonObject delta, string? finishReason) => new()
    {
        ["id"] = "chatcmpl-fake",
        ["object"] = "chat.completion.chunk",
        ["created"] = Created,
        ["model"] = model,
        ["system_fingerprint"] = "fp_fake",
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["delta"] = delta,
            ["logprobs"] = null,
            ["finish_reason"] = finishReason,
        }),
    };

    /// <summary>The last chunk of a stream asked for with <c>stream_options.include_usage</c>: no choices, only usage.</summary>
    public static JsonObject UsageChunk(string? model, JsonObject usage) => new()
    {
        ["id"] = "chatcmpl-fake",
        ["object"] = "chat.completion.chunk",
        ["created"] = Created,
        ["model"] = model,
        ["choices"] = new JsonArray(),
        ["usage"] = usage,
    };

    /// <summary>OpenAI's error body, shared by its endpoints.</summary>
    public static JsonObject Error(int status, string? message) => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = message ?? $"Scripted failure {status}",
            ["type"] = status == 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error" : "invalid_request_error",
            ["param"] = null,
            ["code"] = status == 401 ? "invalid_api_key" : null,
        },
    };

    public static JsonObject Usage(int prompt, int completion) => new()
    {
        ["prompt_tokens"] = prompt,
        ["completion_tokens"] = completion,
        ["total_tokens"] = prompt + completion,
    };

    /// <summary>A rough count, enough to be non-zero and to grow with the prompt.</summary>
    public static int CountTokens(ChatServerRequest request) => request.Messages.Sum(m => Math.Max(1, m.Content.Length / 4)) + 3 * request.Messages.Count;

    /// <summary>The text in word-sized deltas, each word with the whitespace before it, so they concatenate back.</summary>
    public static IReadOnlyList<string> Words(string text)
    {
        var words = new List<string>();
        var start = 0;
        for (var i = 1; i <= text.Length; i++)
        {
            if (i == text.Length || (char.IsWhiteSpace(text[i]) && !char.IsWhiteSpace(text[i - 1])))
            {
                words.Add(text[start..i]);
                start = i;
            }
        }
        return words;
    }
}

/// <summary>Just enough HTTP/1.1 to read the SDK's requests.</summary>
internal static class HttpWire
{
    private const int MaxHeaderBytes = 64 * 1024;

    public static string StatusLine(int status) => $"HTTP/1.1 {status} {Reason(status)}\r\n";

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    };

    public static async Task<ChatServerRequest?> ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int headerEnd;
        while ((headerEnd = IndexOfHeaderEnd(buffer)) < 0)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken);
            if (read == 0)
                return null;
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxHeaderBytes)
                throw new InvalidDataException("Request headers too large.");
        }
        var all = buffer.ToArray();
        var lines = Encoding.ASCII.GetString(all, 0, headerEnd).Split("\r\n");
        var requestLine = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        var rest = new MemoryStream();
        rest.Write(all, headerEnd + 4, all.Length - headerEnd - 4);
        byte[] body;
        if (headers.TryGetValue("Content-Length", out var lengthText))
        {
            var length = int.Parse(lengthText, System.Globalization.CultureInfo.InvariantCulture);
            while (rest.Length < length)
            {
                var read = await stream.ReadAsync(chunk, cancellationToken);
                if (read == 0)
                    return null;
                rest.Write(chunk, 0, read);
            }
            body = rest.ToArray()[..length];
        }
        else if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = await ReadChunkedAsync(stream, rest, chunk, cancellationToken);
        }
        else
        {
            body = [];
        }
        var target = requestLine.Length > 1 ? requestLine[1] : "/";
        var query = target.IndexOf('?', StringComparison.Ordinal);
        return new ChatServerRequest(
            requestLine[0],
            query < 0 ? target : target[..query],
            query < 0 ? "" : target[query..],
            headers,
            Encoding.UTF8.GetString(body));
    }

    private static async Task<byte[]> ReadChunkedAsync(NetworkStream stream, MemoryStream pending, byte[] scratch, CancellationToken cancellationToken)
    {
        var body = new MemoryStream();
        while (true)
        {
            var data = pending.ToArray();
            var lineEnd = IndexOf(data, "\r\n"u8, 0);
            if (lineEnd >= 0)
            {
                var size = Convert.ToInt32(Encoding.ASCII.GetString(data, 0, lineEnd).Split(';')[0].Trim(), 16);
                if (size == 0)
                    return body.ToArray();
                if (data.Length >= lineEnd + 2 + size + 2)
                {
                    body.Write(data, lineEnd + 2, size);
                    pending = new MemoryStream();
                    pending.Write(data, lineEnd + 4 + size, data.Length - lineEnd - 4 - size);
                    continue;
                }
            }
            var read = await stream.ReadAsync(scratch, cancellationToken);
            if (read == 0)
                throw new IOException("The client closed the connection inside a chunked body.");
            pending.Write(scratch, 0, read);
        }
    }

    private static int IndexOfHeaderEnd(MemoryStream buffer) => IndexOf(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), "\r\n\r\n"u8, 0);

    private static int IndexOf(ReadOnlySpan<byte> data, ReadOnlySpan<byte> value, int start)
    {
        var index = data[start..].IndexOf(value);
        return index < 0 ? -1 : index + start;
    }
}
