namespace Quarry.Spending;

/// <summary>What one answer's model calls cost, from the configured price table.</summary>
/// <param name="Priced">False when the model has no price configured (the amount is then 0, not unknown-as-free).</param>
public sealed record AnswerCost(decimal Amount, string Currency, bool Priced);
