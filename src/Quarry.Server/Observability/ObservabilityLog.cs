using Microsoft.Extensions.Logging;

namespace Quarry.Server.Observability;

internal static partial class ObservabilityLog
{
    [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "The request observer {Observer} failed; the request was served")]
    public static partial void ObserverFailed(ILogger logger, string observer, Exception exception);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "Could not read the ingestion backlog: {Reason}")]
    public static partial void BacklogUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Information, Message = "Traces are exported by OTLP ({Protocol}) to {Endpoint}")]
    public static partial void TracesExported(ILogger logger, string protocol, string endpoint);
}
