using Microsoft.Extensions.Logging;

namespace Quarry.Indexing.Vectors;

internal static partial class VectorIndexLog
{
    [LoggerMessage(2101, LogLevel.Information, "Vector index for {Model} loaded {Count} vectors; following store changes from #{Position}")]
    public static partial void Loaded(ILogger logger, string model, int count, long position);

    [LoggerMessage(2102, LogLevel.Debug, "Vector index for {Model} applied {Documents} changed documents up to #{Position}")]
    public static partial void Applied(ILogger logger, string model, int documents, long position);

    [LoggerMessage(2103, LogLevel.Warning, "Vector index for {Model} fell behind the store's change history (at #{Position}, head #{Head}); rebuilding from stored vectors")]
    public static partial void Rebuilding(ILogger logger, string model, long position, long head);

    [LoggerMessage(2104, LogLevel.Warning, "Vector index for {Model} could not read store changes; searching what it has")]
    public static partial void RefreshFailed(ILogger logger, string model, Exception exception);
}
