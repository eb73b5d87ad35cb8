using Quarry.Answering;

namespace Quarry.Citations;

/// <param name="Text">The answer with markers to unsupplied evidence removed and repaired markers rewritten.</param>
/// <param name="DroppedMarkers">Evidence numbers the answer cited that were never supplied.</param>
internal sealed record VerifiedAnswer(
    string Text,
    IReadOnlyList<Citation> Citations,
    IReadOnlyList<string> UnsupportedSentences,
    IReadOnlyList<int> DroppedMarkers);
