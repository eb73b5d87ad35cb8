using System.ComponentModel.DataAnnotations;

namespace Quarry.Audit;

/// <summary>What the audit trail keeps and how it behaves when it cannot keep it (section <c>Audit</c>).</summary>
public sealed class AuditOptions : IValidatableObject
{
    public const string SectionName = "Audit";

    /// <summary>Off: no record is written and <c>/v1/audit</c> lists nothing new.</summary>
    public bool Enabled { get; set; } = true;

    public AuditQuestionStorage Question { get; set; } = AuditQuestionStorage.Full;

    public AuditAnswerStorage Answer { get; set; } = AuditAnswerStorage.Full;

    /// <summary>Records older than this are deleted by the retention sweep; 0 keeps them forever.</summary>
    [Range(0, 36_500)]
    public int RetentionDays { get; set; }

    public AuditFailureMode FailureMode { get; set; } = AuditFailureMode.Open;

    /// <summary>Records waiting for the writer; beyond it a record is dropped (and counted), never waited for.</summary>
    [Range(16, 1_000_000)]
    public int ChannelCapacity { get; set; } = 10_000;

    /// <summary>Most records appended in one transaction.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 256;

    /// <summary>How long the writer waits for more records before appending a batch smaller than
    /// <see cref="BatchSize"/>: at a steady trickle of requests one transaction then carries several records instead of
    /// one each (the cost is per transaction). A crash can lose this much more than what is queued; a clean stop
    /// still writes everything. Zero appends at once.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan BatchDelay { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>How often the retention sweep runs.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The HMAC-SHA256 key that signs retention checkpoints (any string of at least 32 characters, e.g. 32
    /// random bytes in base64). When absent, a random key is kept in <see cref="CheckpointKeyFile"/>.</summary>
    public string? CheckpointKey { get; set; }

    /// <summary>Where the generated checkpoint key lives when <see cref="CheckpointKey"/> is not set; the host sets it
    /// to a file in the data directory.</summary>
    public string? CheckpointKeyFile { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CheckpointKey is { Length: < 32 })
            yield return new ValidationResult("Audit:CheckpointKey must be at least 32 characters.", [nameof(CheckpointKey)]);
        if (SweepInterval < TimeSpan.FromSeconds(1))
            yield return new ValidationResult("Audit:SweepInterval must be at least one second.", [nameof(SweepInterval)]);
        if (!Enum.IsDefined(Question))
            yield return new ValidationResult("Audit:Question must be Full, Hashed or None.", [nameof(Question)]);
        if (!Enum.IsDefined(Answer))
            yield return new ValidationResult("Audit:Answer must be Full or None.", [nameof(Answer)]);
        if (!Enum.IsDefined(FailureMode))
            yield return new ValidationResult("Audit:FailureMode must be Open or Closed.", [nameof(FailureMode)]);
    }
}

public enum AuditQuestionStorage
{
    Full,
    /// <summary>SHA-256 of the question: equal questions can be matched, the text cannot be read.</summary>
    Hashed,
    None,
}

public enum AuditAnswerStorage
{
    Full,
    None,
}

public enum AuditFailureMode
{
    /// <summary>Keep serving when records cannot be written; count and log the failures.</summary>
    Open,
    /// <summary>Refuse answered requests (503) while records cannot be written.</summary>
    Closed,
}
