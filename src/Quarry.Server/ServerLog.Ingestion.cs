using Microsoft.Extensions.Logging;

namespace Quarry.Server;

internal static partial class ServerLog
{
    [LoggerMessage(6130, LogLevel.Information, "Removed {Count} orphan upload files (no unfinished job refers to them) from {Folder}")]
    public static partial void OrphanUploadsRemoved(ILogger logger, int count, string folder);
}
