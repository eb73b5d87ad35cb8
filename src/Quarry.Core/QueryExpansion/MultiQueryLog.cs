using Microsoft.Extensions.Logging;

namespace Quarry.QueryExpansion;

internal static partial class MultiQueryLog
{
    [LoggerMessage(EventId = 4801, Level = LogLevel.Warning, Message = "Query variants took longer than {TimeoutMs} ms; the question is retrieved alone")]
    public static partial void TimedOut(ILogger logger, double timeoutMs);

    [LoggerMessage(EventId = 4802, Level = LogLevel.Warning, Message = "The chat model could not write query variants ({Reason}); the question is retrieved alone")]
    public static partial void Failed(ILogger logger, string reason);
}
