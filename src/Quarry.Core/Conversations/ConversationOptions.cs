using System.ComponentModel.DataAnnotations;

namespace Quarry.Conversations;

/// <summary>Server-side conversations (<c>Conversations</c> section): how long and how large a session may grow, and
/// how follow-up questions are rewritten before retrieval.</summary>
public sealed class ConversationOptions
{
    public const string SectionName = "Conversations";

    /// <summary>A session untouched for this many days is deleted.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 30;

    /// <summary>Turns a session keeps; older ones are dropped as new ones arrive.</summary>
    [Range(1, 1000)]
    public int MaxTurns { get; set; } = 50;

    /// <summary>Bytes of turn text (questions, answers, citations) a session keeps; older turns are dropped first.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxBytes { get; set; } = 256 * 1024;

    /// <summary>Sessions one caller may keep; creating another is refused until one is deleted.</summary>
    [Range(1, 100_000)]
    public int MaxSessionsPerCaller { get; set; } = 500;

    /// <summary>Earlier turns of a session sent with a question as its history.</summary>
    [Range(0, 50)]
    public int HistoryTurns { get; set; } = 4;

    /// <summary>How often the retention sweep runs.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);

    [Required]
    public RewriteOptions Rewrite { get; set; } = new();
}

/// <summary>Follow-up rewriting: a question that leans on the conversation ("and when was it founded?") is turned
/// into a standalone query before retrieval.</summary>
public sealed class RewriteOptions
{
    /// <summary>Off: retrieval always uses the question as asked.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>With a chat model configured, ask it for the rewrite (the rule is the fallback); off: the rule only.</summary>
    public bool UseModel { get; set; } = true;

    /// <summary>Tokens of conversation the rewrite prompt may carry (the newest turns are kept).</summary>
    [Range(32, 8192)]
    public int MaxInputTokens { get; set; } = 512;

    /// <summary>Tokens the model may write for the rewritten query.</summary>
    [Range(8, 512)]
    public int MaxOutputTokens { get; set; } = 64;

    /// <summary>A rewrite that takes longer is abandoned for the rule: retrieval must not wait on it.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);
}
