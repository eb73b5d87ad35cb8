using Microsoft.Extensions.Logging;

namespace Quarry.Server.Lifecycle;

internal static partial class LifecycleLog
{
    [LoggerMessage(6100, LogLevel.Information, "Shutting down: no new jobs are claimed; running jobs have {DrainSeconds} s to finish before they are released")]
    public static partial void Draining(ILogger logger, double drainSeconds);

    [LoggerMessage(6101, LogLevel.Warning, "Job {JobId} did not finish within the drain time: released for another worker")]
    public static partial void JobReleased(ILogger logger, string jobId);
}
