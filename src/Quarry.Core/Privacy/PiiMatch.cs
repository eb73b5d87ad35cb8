namespace Quarry.Privacy;

public enum PiiKind
{
    Email,
    Phone,
    PaymentCard,
    Iban,
    NationalId,
    IpAddress,
    /// <summary>A configured pattern (<see cref="PrivacyOptions.Patterns"/>); <see cref="PiiMatch.Label"/> names it.</summary>
    Custom,
}

/// <summary>A recognised value at <see cref="Start"/> (length <see cref="Length"/>) of the scanned text.</summary>
public sealed record PiiMatch(PiiKind Kind, int Start, int Length, string Value, string Label)
{
    public int End => Start + Length;
}
