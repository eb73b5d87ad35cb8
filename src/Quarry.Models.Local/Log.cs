using Microsoft.Extensions.Logging;

namespace Quarry.Models.Local;

internal static partial class HubLog
{
    [LoggerMessage(EventId = 5200, Level = LogLevel.Information, Message = "Model {Model} at commit {Commit}: {Files} files, {Bytes} bytes verified in {Folder}")]
    public static partial void Pulled(ILogger logger, string model, string commit, int files, long bytes, string folder);
}

internal static partial class LocalModelLog
{
    [LoggerMessage(EventId = 5210, Level = LogLevel.Information, Message = "Loaded local model {Model} from {Folder} in {Milliseconds} ms ({Dimension} dimensions, {MaxLength} tokens max, {Threads} threads, {Precision})")]
    public static partial void Loaded(ILogger logger, string model, string folder, long milliseconds, int dimension, int maxLength, int threads, ModelPrecision precision);

    [LoggerMessage(EventId = 5211, Level = LogLevel.Information, Message = "Converted built-in model {Model} from its package into {Folder} in {Milliseconds} ms (once per machine)")]
    public static partial void Converted(ILogger logger, string model, string folder, long milliseconds);
}
