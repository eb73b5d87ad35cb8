using System.Globalization;
using System.Net.Sockets;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Quarry.Generation;

/// <summary>
/// The fallback path of one call, as recorded in <see cref="ChatCompletion.Degraded"/>:
/// "openai:gpt-4o failed (503 ×2, circuit open) → openai:gpt-4o-mini".
/// </summary>
internal sealed class DegradedPath
{
    private readonly List<string> _steps = [];

    public bool IsEmpty => _steps.Count == 0;

    /// <summary>The shortest wait any failed provider asked for, to pass on when all of them failed.</summary>
    public TimeSpan? RetryAfter { get; private set; }

    public string Failed(ChatProvider provider, ProviderCall call, Exception exception)
    {
        var labels = new List<string>(call.Failures) { FailureLabel.Of(exception, provider.Options) };
        var outcome = (exception is BrokenCircuitException or ProviderRateLimitedException && call.Failures.Count == 0 ? "skipped (" : "failed (")
            + Compress(labels) + ")";
        _steps.Add($"{provider.Model.ModelId} {outcome}");
        var hint = exception switch
        {
            BrokenCircuitException e => e.RetryAfter,
            ChatModelException e => e.RetryAfter,
            _ => null,
        };
        if (hint > TimeSpan.Zero && (RetryAfter is null || hint < RetryAfter))
            RetryAfter = hint;
        return outcome;
    }

    /// <summary>The path ending at the provider that answered, or null when the first one did.</summary>
    public string? AnsweredBy(ChatProvider provider) => IsEmpty ? null : ToString() + " → " + provider.Model.ModelId;

    public override string ToString() => string.Join(" → ", _steps);

    /// <summary>"503", "503", "circuit open" → "503 ×2, circuit open".</summary>
    private static string Compress(List<string> labels)
    {
        var parts = new List<string>();
        for (var i = 0; i < labels.Count;)
        {
            var run = 1;
            while (i + run < labels.Count && labels[i + run] == labels[i])
                run++;
            parts.Add(run == 1 ? labels[i] : $"{labels[i]} ×{run}");
            i += run;
        }
        return string.Join(", ", parts);
    }
}

/// <summary>A few words naming a failure: the status code when there is one.</summary>
internal static class FailureLabel
{
    public static string Of(Exception? exception, ChatProviderOptions options) => exception switch
    {
        null => "no result",
        BrokenCircuitException => "circuit open",
        ProviderRateLimitedException => "rate limited",
        TimeoutRejectedException => $"timed out after {Seconds(options.Timeout)} s",
        ChatStreamStalledException => "stalled",
        ChatModelException { StatusCode: { } status, RetryAfter: { } after } when after > options.MaxRetryDelay =>
            $"{status}, Retry-After {Seconds(after)} s",
        ChatModelException { StatusCode: { } status } => status.ToString(CultureInfo.InvariantCulture),
        ChatModelException { IsTransient: true } => "connection failed",
        ChatModelException => "unusable response",
        HttpRequestException or IOException or SocketException => "connection failed",
        _ => exception.GetType().Name,
    };

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
