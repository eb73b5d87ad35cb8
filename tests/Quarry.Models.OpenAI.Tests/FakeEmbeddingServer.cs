using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Quarry.Models.OpenAI.Tests;

/// <summary>
/// A loopback server speaking OpenAI's <c>POST /v1/embeddings</c> as the real service does (float or base64 encoding,
/// error bodies, Retry-After), with replies scripted per request. Requests beyond the script get a 200 whose vectors
/// are <see cref="VectorFor"/> each input.
/// </summary>
public sealed class FakeEmbeddingServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<Reply> _script = new();
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private int _inFlight;
    private int _maxInFlight;

    public FakeEmbeddingServer(int dimension = 8)
    {
        Dimension = dimension;
        var port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseAddress.ToString());
        _listener.Start();
        _loop = AcceptLoopAsync();
    }

    public Uri BaseAddress { get; }

    /// <summary>What to configure as the endpoint: the SDK appends <c>/embeddings</c>.</summary>
    public Uri Endpoint => new(BaseAddress, "v1");

    public int Dimension { get; set; }

    /// <summary>Delay before answering a default 200, so that concurrent requests overlap at the server.</summary>
    public TimeSpan DefaultLatency { get; set; }

    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Completes when a request arrives that is answered with <see cref="Reply.Hang"/>.</summary>
    public TaskCompletionSource Hanging { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeEmbeddingServer Then(Reply reply)
    {
        _script.Enqueue(reply);
        return this;
    }

    public static float[] VectorFor(string text, int dimension)
    {
        var vector = new float[dimension];
        var hash = 2166136261u;
        foreach (var c in text)
            hash = (hash ^ c) * 16777619u;
        for (var i = 0; i < dimension; i++)
            vector[i] = (hash % 10_007) / 10_007f + i;
        return vector;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        var max = Volatile.Read(ref _maxInFlight);
        while (inFlight > max && Interlocked.CompareExchange(ref _maxInFlight, inFlight, max) != max)
            max = Volatile.Read(ref _maxInFlight);
        try
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(_stopping.Token);
            var json = JsonNode.Parse(body)!.AsObject();
            var request = new ReceivedRequest(
                Stopwatch.GetTimestamp(),
                context.Request.HttpMethod,
                context.Request.Url!.AbsolutePath,
                context.Request.Headers["Authorization"],
                json["model"]?.GetValue<string>(),
                json["encoding_format"]?.GetValue<string>(),
                json["dimensions"]?.GetValue<int>(),
                json["input"] is JsonArray array ? [.. array.Select(i => i!.GetValue<string>())] : [json["input"]!.GetValue<string>()]);
            _requests.Enqueue(request);

            var reply = _script.TryDequeue(out var scripted) ? scripted : Reply.Ok;
            await reply.WriteAsync(this, request, context.Response, _stopping.Token);
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
            // Shutting down, or the client went away from a hanging request.
        }
        catch (HttpListenerException)
        {
            // The client closed the connection (a cancelled or timed-out attempt).
        }
        catch (IOException)
        {
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            try
            {
                context.Response.Close();
            }
            catch (Exception)
            {
                // Already aborted.
            }
        }
    }

    internal static string EmbeddingsBody(ReceivedRequest request, int dimension, int? count = null, bool floats = false)
    {
        var data = new JsonArray();
        var inputs = request.Inputs;
        var n = count ?? inputs.Count;
        for (var i = 0; i < n; i++)
        {
            var vector = VectorFor(inputs[Math.Min(i, inputs.Count - 1)], dimension);
            JsonNode embedding = request.EncodingFormat == "base64" && !floats
                ? JsonValue.Create(Convert.ToBase64String(MemoryMarshal.AsBytes(vector.AsSpan())))
                : new JsonArray([.. vector.Select(v => (JsonNode)JsonValue.Create(v))]);
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = embedding });
        }
        var tokens = inputs.Sum(i => Math.Max(1, i.Length / 4));
        return new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = request.Model,
            ["usage"] = new JsonObject { ["prompt_tokens"] = tokens, ["total_tokens"] = tokens },
        }.ToJsonString();
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception)
        {
            // The loop ends with the listener.
        }
        _stopping.Dispose();
    }
}

public sealed record ReceivedRequest(
    long Timestamp, string Method, string Path, string? Authorization, string? Model, string? EncodingFormat, int? Dimensions, IReadOnlyList<string> Inputs);

/// <summary>One scripted answer.</summary>
public sealed class Reply
{
    private readonly Func<FakeEmbeddingServer, ReceivedRequest, HttpListenerResponse, CancellationToken, Task> _write;

    private Reply(Func<FakeEmbeddingServer, ReceivedRequest, HttpListenerResponse, CancellationToken, Task> write) => _write = write;

    public static Reply Ok { get; } = new(async (server, request, response, ct) =>
    {
        if (server.DefaultLatency > TimeSpan.Zero)
            await Task.Delay(server.DefaultLatency, ct);
        await WriteAsync(response, 200, FakeEmbeddingServer.EmbeddingsBody(request, request.Dimensions ?? server.Dimension), [], ct);
    });

    public static Reply Status(int status, string? retryAfter = null, string? message = null) => new((_, _, response, ct) =>
    {
        var body = Quarry.Testing.ChatWire.Error(status, message).ToJsonString();
        return WriteAsync(response, status, body, retryAfter is null ? [] : [("Retry-After", retryAfter)], ct);
    });

    /// <summary>A 200 with float arrays whatever encoding was asked for, as some compatible servers do.</summary>
    public static Reply OkAsFloats { get; } = new((server, request, response, ct) =>
        WriteAsync(response, 200, FakeEmbeddingServer.EmbeddingsBody(request, request.Dimensions ?? server.Dimension, floats: true), [], ct));

    public static Reply MalformedJson { get; } = new((_, _, response, ct) =>
        WriteAsync(response, 200, """{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1, 0.2""", [], ct));

    public static Reply WrongCount(int count) => new((server, request, response, ct) =>
        WriteAsync(response, 200, FakeEmbeddingServer.EmbeddingsBody(request, request.Dimensions ?? server.Dimension, count), [], ct));

    public static Reply WrongDimension(int dimension) => new((server, request, response, ct) =>
        WriteAsync(response, 200, FakeEmbeddingServer.EmbeddingsBody(request, dimension), [], ct));

    /// <summary>Never answers (until the server stops): for timeouts and cancellation.</summary>
    public static Reply Hang { get; } = new(async (server, _, _, ct) =>
    {
        server.Hanging.TrySetResult();
        await Task.Delay(Timeout.Infinite, ct);
    });

    internal Task WriteAsync(FakeEmbeddingServer server, ReceivedRequest request, HttpListenerResponse response, CancellationToken ct) =>
        _write(server, request, response, ct);

    private static async Task WriteAsync(HttpListenerResponse response, int status, string body, IEnumerable<(string Name, string Value)> headers, CancellationToken ct)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        foreach (var (name, value) in headers)
            response.AddHeader(name, value);
        var bytes = Encoding.UTF8.GetBytes(body);
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes, ct);
    }
}
