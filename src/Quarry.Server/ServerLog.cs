using Microsoft.Extensions.Logging;

namespace Quarry.Server;

internal static partial class ServerLog
{
    [LoggerMessage(6001, LogLevel.Error, "Unhandled error in {Method} {Path}")]
    public static partial void UnhandledError(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(6002, LogLevel.Warning,
        "DEVELOPMENT MODE: authentication is OFF. Every request acts as an admin of tenant '{Tenant}'. Never expose this server beyond your machine.")]
    public static partial void DevelopmentMode(ILogger logger, string tenant);

    [LoggerMessage(6003, LogLevel.Warning, "No API key exists yet: create one with 'quarry keys create --tenant default --role admin --data {DataDirectory}'.")]
    public static partial void NoKeys(ILogger logger, string dataDirectory);

    [LoggerMessage(6004, LogLevel.Information, "Quarry {Role} listening on {Urls} (data: {DataDirectory}, auth: {AuthMode})")]
    public static partial void Listening(ILogger logger, string role, string urls, string dataDirectory, string authMode);

    [LoggerMessage(6010, LogLevel.Information, "Job {JobId} claimed by {Worker} (attempt {Attempt})")]
    public static partial void JobClaimed(ILogger logger, string jobId, string worker, int attempt);

    [LoggerMessage(6011, LogLevel.Information, "Job {JobId} finished: {Status} {Outcome} in {Seconds:F2}s")]
    public static partial void JobFinished(ILogger logger, string jobId, string status, string outcome, double seconds);

    [LoggerMessage(6012, LogLevel.Warning, "Job {JobId}: the provider is throttling or failing ({Error}); retrying after {Delay}")]
    public static partial void JobBackoff(ILogger logger, string jobId, string error, TimeSpan delay);

    [LoggerMessage(6013, LogLevel.Information, "Job {JobId} stopped: cancelled or lease lost")]
    public static partial void JobStopped(ILogger logger, string jobId);

    [LoggerMessage(6014, LogLevel.Error, "Job {JobId} failed unexpectedly")]
    public static partial void JobCrashed(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(6015, LogLevel.Error, "Ingestion worker {Worker} loop failed; restarting it")]
    public static partial void WorkerLoopFailed(ILogger logger, string worker, Exception exception);

    [LoggerMessage(6020, LogLevel.Information, "Ask cancelled: the client disconnected ({Path})")]
    public static partial void AskCancelled(ILogger logger, string path);

    [LoggerMessage(6021, LogLevel.Warning, "Ask stream failed after it started ({Path})")]
    public static partial void StreamFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(6030, LogLevel.Information, "Loaded {Count} vectors into the in-process vector index")]
    public static partial void VectorsLoaded(ILogger logger, int count);

    [LoggerMessage(6040, LogLevel.Warning, "The store is not reachable: {Store} ({Reason}). The server keeps running, /readyz answers 503 and the connection is retried with backoff (at most every {MaxDelaySeconds} s).")]
    public static partial void StoreUnreachable(ILogger logger, string store, string reason, double maxDelaySeconds);

    [LoggerMessage(6041, LogLevel.Debug, "Still cannot reach {Store} (attempt {Attempt}); next try in {DelaySeconds} s")]
    public static partial void StoreRetry(ILogger logger, string store, int attempt, double delaySeconds);

    [LoggerMessage(6042, LogLevel.Information, "The store is reachable: {Store} (after {Attempts} attempts)")]
    public static partial void StoreReachable(ILogger logger, string store, int attempts);
}
