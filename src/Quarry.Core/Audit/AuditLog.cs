using Microsoft.Extensions.Logging;

namespace Quarry.Audit;

internal static partial class AuditLog
{
    [LoggerMessage(EventId = 12001, Level = LogLevel.Error, Message = "Audit append of {Count} records failed (attempt {Attempt}); failure mode {Mode}")]
    public static partial void AppendFailed(ILogger logger, Exception exception, int count, int attempt, string mode);

    [LoggerMessage(EventId = 12002, Level = LogLevel.Error, Message = "Gave up on {Count} audit records after {Attempts} failed appends")]
    public static partial void GaveUp(ILogger logger, int count, int attempts);

    [LoggerMessage(EventId = 12003, Level = LogLevel.Warning, Message = "Audit queue full ({Capacity}): record of {Route} dropped")]
    public static partial void QueueFull(ILogger logger, int capacity, string route);

    [LoggerMessage(EventId = 12004, Level = LogLevel.Information, Message = "Audit retention deleted {Count} records of tenant {Tenant} older than {Cutoff:u}")]
    public static partial void Purged(ILogger logger, int count, string tenant, DateTimeOffset cutoff);

    [LoggerMessage(EventId = 12005, Level = LogLevel.Error, Message = "Audit retention sweep failed")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 12006, Level = LogLevel.Information, Message = "Audit writer drained {Count} records at shutdown")]
    public static partial void Drained(ILogger logger, int count);
}
