namespace Quarry.Answering;

/// <summary>Milliseconds spent per stage of one answer, for <see cref="Answer.TimingsMs"/>.</summary>
internal sealed class StageTimings(TimeProvider time)
{
    private readonly Dictionary<string, double> _ms = new(StringComparer.Ordinal);
    private readonly long _started = time.GetTimestamp();

    public Scope Measure(string stage) => new(this, stage, time.GetTimestamp());

    public IReadOnlyDictionary<string, double> Snapshot()
    {
        var copy = new Dictionary<string, double>(_ms, StringComparer.Ordinal) { ["total"] = Round(time.GetElapsedTime(_started).TotalMilliseconds) };
        return copy;
    }

    private static double Round(double ms) => Math.Round(ms, 2);

    public readonly struct Scope(StageTimings owner, string stage, long started) : IDisposable
    {
        public void Dispose() =>
            owner._ms[stage] = Round(owner._ms.GetValueOrDefault(stage) + owner.Elapsed(started));
    }

    private double Elapsed(long started) => time.GetElapsedTime(started).TotalMilliseconds;
}
