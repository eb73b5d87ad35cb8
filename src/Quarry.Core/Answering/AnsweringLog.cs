using Microsoft.Extensions.Logging;

namespace Quarry.Answering;

internal static partial class AnsweringLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Chat model failed ({Reason}); answering extractively instead")]
    public static partial void GenerationFellBack(ILogger logger, string reason);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Answer dropped citations to evidence that was not supplied: {Markers}")]
    public static partial void DroppedCitations(ILogger logger, string markers);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Answered with {Model}: grounded={Grounded} abstained={Abstained} citations={Citations} in {Milliseconds:F0} ms")]
    public static partial void Answered(ILogger logger, string model, bool grounded, bool abstained, int citations, double milliseconds);
}
