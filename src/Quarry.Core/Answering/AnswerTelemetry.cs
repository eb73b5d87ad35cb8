using Quarry.Diagnostics;

namespace Quarry.Answering;

internal static class AnswerTelemetry
{
    private static readonly System.Diagnostics.Metrics.Counter<long> Answers =
        QuarryTelemetry.Meter.CreateCounter<long>("quarry.answers", description: "Answers given, tagged with model and outcome (grounded, ungrounded, abstained).");

    public static void Record(Answer answer) => Answers.Add(1,
        new KeyValuePair<string, object?>("model", answer.Model),
        new KeyValuePair<string, object?>("outcome", answer.Abstained ? "abstained" : answer.Grounded ? "grounded" : "ungrounded"));
}
