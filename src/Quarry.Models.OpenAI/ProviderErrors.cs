using System.ClientModel;
using System.Net.Sockets;
using System.Text.Json;
using Polly.Timeout;
using Quarry.Embedding;
using Quarry.Generation;

namespace Quarry.Models.OpenAI;

/// <summary>Classifies provider failures (retry or not) and turns them into <see cref="EmbeddingException"/>s and
/// <see cref="ChatModelException"/>s.</summary>
internal static class ProviderErrors
{
    private const int MaxDetailLength = 500;

    /// <summary>Worth another attempt: throttling, server errors, timeouts, connection failures.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        // Status 0: no response at all (connection refused or reset, DNS).
        ClientResultException e => e.Status is 0 or 408 or 409 or 429 or >= 500,
        TimeoutRejectedException or HttpRequestException or IOException or SocketException => true,
        _ => false,
    };

    /// <summary>A response the SDK could not read, or that does not match what was asked.</summary>
    public static bool IsMalformed(Exception exception) =>
        exception is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or InvalidCastException;

    public static EmbeddingException ToEmbeddingException(Exception exception, Uri endpoint, string model, TimeSpan timeout, int attempts)
    {
        switch (exception)
        {
            case EmbeddingException e:
                return e;
            case ClientResultException e when e.Status == 0:
                return new($"Could not reach the embedding endpoint {endpoint} after {attempts} attempt(s): {e.Message}", isTransient: true, e);
            case ClientResultException e:
                var transient = IsTransient(e);
                var retried = transient ? $" after {attempts} attempt(s)" : "";
                return new(
                    $"The embedding endpoint {endpoint} answered {e.Status} {e.GetRawResponse()?.ReasonPhrase} for model '{model}'{retried}: {Detail(e)}",
                    transient, e);
            case TimeoutRejectedException e:
                return new($"The embedding endpoint {endpoint} did not answer within {timeout.TotalSeconds:0.###} s ({attempts} attempt(s)).", isTransient: true, e);
            case HttpRequestException or IOException or SocketException:
                return new($"Could not reach the embedding endpoint {endpoint} after {attempts} attempt(s): {exception.Message}", isTransient: true, exception);
            default:
                return IsMalformed(exception)
                    ? new($"The embedding endpoint {endpoint} sent a malformed response for model '{model}': {exception.Message}", isTransient: false, exception)
                    : new($"Embedding with model '{model}' at {endpoint} failed: {exception.Message}", isTransient: false, exception);
        }
    }

    /// <summary>
    /// A chat failure with its status and the provider's Retry-After. One attempt only: retries, timeouts and
    /// fallback are the gateway's, so the message says what this request got, not how often it was tried.
    /// </summary>
    public static ChatModelException ToChatModelException(Exception exception, Uri endpoint, string model, DateTimeOffset now)
    {
        switch (exception)
        {
            case ChatModelException e:
                return e;
            case ClientResultException e when e.Status == 0:
                return new($"Could not reach the chat endpoint {endpoint}: {e.Message}", isTransient: true, inner: e);
            case ClientResultException e:
                return new(
                    $"The chat endpoint {endpoint} answered {e.Status} {e.GetRawResponse()?.ReasonPhrase} for model '{model}': {Detail(e)}",
                    IsTransient(e), e.Status, RetryAfter.From(e, now), e);
            case HttpRequestException or IOException or SocketException:
                return new($"The connection to the chat endpoint {endpoint} failed: {exception.Message}", isTransient: true, inner: exception);
            case OperationCanceledException:
                // Not the caller's token (that one is rethrown as is): the HTTP client's own network timeout.
                return new($"The chat endpoint {endpoint} did not answer in time for model '{model}'.", isTransient: true, inner: exception);
            default:
                return IsMalformed(exception)
                    ? new($"The chat endpoint {endpoint} sent a malformed response for model '{model}': {exception.Message}", isTransient: false, inner: exception)
                    : new($"Chat with model '{model}' at {endpoint} failed: {exception.Message}", isTransient: false, inner: exception);
        }
    }

    /// <summary>The provider's own error message (<c>{"error":{"message":…}}</c> and variants), else the body.</summary>
    private static string Detail(ClientResultException exception)
    {
        string body;
        try
        {
            body = exception.GetRawResponse()?.Content?.ToString() ?? "";
        }
        catch (InvalidOperationException)
        {
            // The body was streamed rather than buffered.
            body = "";
        }
        if (body.Length == 0)
            return "(no response body)";
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("error", out var error))
                {
                    if (error.ValueKind == JsonValueKind.String)
                        return error.GetString()!;
                    if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                        return message.GetString()!;
                }
                foreach (var name in (ReadOnlySpan<string>)["message", "detail"])
                {
                    if (root.TryGetProperty(name, out var text) && text.ValueKind == JsonValueKind.String)
                        return text.GetString()!;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, plain text): show the start of it.
        }
        return body.Length <= MaxDetailLength ? body : body[..MaxDetailLength] + "…";
    }
}
