using Quarry.Answering;

namespace Quarry.Caching;

/// <summary>
/// Which answers are stored. Only grounded answers with citations: an abstention is the cheap path (no model call
/// when nothing relevant is retrieved) and, like an ungrounded answer, may have a passing cause that a cached copy would
/// outlive. A degraded answer is stored when its degradation is a standing state (no embedder configured, a knowledge
/// base without vectors of the model: both change only with configuration or a write, which changes the key), never
/// when it comes from a failure of the moment (an embedder or model down, slow, failed over).
/// </summary>
internal static class CacheAdmission
{
    private static readonly string[] PassingCauses = ["→", "failed", "unavailable", "did not answer", "timed out", "timeout"];

    public static bool Admits(Answer answer) =>
        answer.Grounded && !answer.Abstained && answer.Citations.Count > 0
        && (answer.Degraded is null || !PassingCauses.Any(c => answer.Degraded.Contains(c, StringComparison.OrdinalIgnoreCase)));
}
