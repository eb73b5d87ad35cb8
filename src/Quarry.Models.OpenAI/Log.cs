using Microsoft.Extensions.Logging;

namespace Quarry.Models.OpenAI;

internal static partial class Log
{
    [LoggerMessage(EventId = 5100, Level = LogLevel.Warning,
        Message = "Embedding request to {Endpoint} ({Model}, {Count} inputs) failed with {Failure}; retry {Attempt} of {MaxRetries} in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, Uri endpoint, string model, int count, string failure, int attempt, int maxRetries, long delayMs, Exception? exception);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Embedding model {Model} at {Endpoint} answers with {Dimension} dimensions")]
    public static partial void DimensionLearnt(ILogger logger, string model, Uri endpoint, int dimension);
}
