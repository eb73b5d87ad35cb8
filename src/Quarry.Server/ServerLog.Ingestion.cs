using Microsoft.Extensions.Logging;

namespace Quarry.Server;

internal static partial class ServerLog
{
    [LoggerMessage(6130, LogLevel.Information, "Removed {Count} orphan upload files (no unfinished job refers to them) from {Folder}")]
    public static partial void OrphanUploadsRemoved(ILogger logger, int count, string folder);

    [LoggerMessage(6131, LogLevel.Information, "Removed {Count} orphan uploads (no unfinished job refers to them) from the database's uploads table")]
    public static partial void OrphanSharedUploadsRemoved(ILogger logger, int count);
}
