using Quarry.Answering;
using Quarry.Generation;

namespace Quarry.Prompting;

/// <param name="Evidence">The evidence that fit the budget, highest ranked first; its numbers are the ones the model may cite.</param>
/// <param name="PromptTokens">Estimated prompt size in tokens.</param>
/// <param name="MaxOutputTokens">Tokens left for the answer.</param>
/// <param name="DroppedEvidence">Lowest-ranked evidence blocks left out to fit the budget.</param>
/// <param name="DroppedTurns">Oldest conversation turns left out to fit the budget.</param>
internal sealed record BuiltPrompt(
    IReadOnlyList<ChatMessage> Messages,
    IReadOnlyList<SuppliedEvidence> Evidence,
    int PromptTokens,
    int MaxOutputTokens,
    int DroppedEvidence,
    int DroppedTurns);
