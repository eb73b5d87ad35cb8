using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Quarry.Server.Streaming;

/// <summary>Writes <c>text/event-stream</c>: each event is flushed as soon as it is written, so tokens reach the
/// client as they are generated.</summary>
internal sealed class ServerSentEvents
{
    private readonly HttpResponse _response;
    private readonly JsonSerializerOptions _json;

    private ServerSentEvents(HttpResponse response, JsonSerializerOptions json)
    {
        _response = response;
        _json = json;
    }

    public static bool Requested(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase));

    public static ServerSentEvents Start(HttpContext context, JsonSerializerOptions json)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        // Reverse proxies (nginx) buffer responses unless told not to.
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        return new ServerSentEvents(response, json);
    }

    /// <summary>One event; <paramref name="name"/> null writes a bare <c>data:</c> event (the OpenAI stream style).</summary>
    public Task WriteAsync<T>(string? name, T data, CancellationToken cancellationToken) =>
        WriteRawAsync(name, JsonSerializer.Serialize(data, _json), cancellationToken);

    /// <summary>Best effort, for the last words of a stream whose client may already be gone.</summary>
    public async Task TryWriteAsync<T>(string? name, T data)
    {
        try
        {
            await WriteAsync(name, data, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
        }
    }

    public async Task WriteRawAsync(string? name, string data, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        if (name is not null) text.Append("event: ").Append(name).Append('\n');
        // Serialized JSON has no raw line breaks; split anyway so a multi-line payload stays one event.
        foreach (var line in data.Split('\n')) text.Append("data: ").Append(line).Append('\n');
        text.Append('\n');
        await _response.WriteAsync(text.ToString(), cancellationToken);
        await _response.Body.FlushAsync(cancellationToken);
    }
}
