namespace Quarry.Parsing;

/// <summary>Why a document could not be ingested. Stable values: they appear in CLI output and API problem types.</summary>
public enum RejectionReason
{
    UnsupportedType,
    Empty,
    Binary,
    InvalidEncoding,
    Corrupt,
    Encrypted,
    TooLarge,
    Timeout,
    CpuBudget,
    ToolMissing,
    PathOutsideRoot,
    NotFound,
}

/// <summary>A document that cannot be ingested, with a reason a user can act on.</summary>
public sealed class DocumentRejectedException : Exception
{
    public DocumentRejectedException(RejectionReason reason, string message, Exception? inner = null)
        : base(message, inner) => Reason = reason;

    public RejectionReason Reason { get; }

    /// <summary>kebab-case form of <see cref="Reason"/>, e.g. "invalid-encoding".</summary>
    public string Code => ToCode(Reason);

    public static string ToCode(RejectionReason reason) => reason switch
    {
        RejectionReason.UnsupportedType => "unsupported-type",
        RejectionReason.Empty => "empty",
        RejectionReason.Binary => "binary",
        RejectionReason.InvalidEncoding => "invalid-encoding",
        RejectionReason.Corrupt => "corrupt",
        RejectionReason.Encrypted => "encrypted",
        RejectionReason.TooLarge => "too-large",
        RejectionReason.Timeout => "timeout",
        RejectionReason.CpuBudget => "cpu-budget",
        RejectionReason.ToolMissing => "tool-missing",
        RejectionReason.PathOutsideRoot => "path-outside-root",
        RejectionReason.NotFound => "not-found",
        _ => "rejected",
    };
}
