using System.ComponentModel.DataAnnotations;

namespace Quarry.Storage.Postgres;

/// <summary>Configuration section <c>Storage:Postgres</c>, used when <c>Storage:Provider</c> is <c>postgres</c>.</summary>
public sealed class PostgresStorageOptions
{
    public const string SectionName = "Storage:Postgres";

    /// <summary>An Npgsql connection string, e.g. <c>Host=db;Database=quarry;Username=quarry;Password=…</c>. Pool size
    /// and timeouts are Npgsql's keywords (<c>Maximum Pool Size</c>, <c>Timeout</c>, <c>Command Timeout</c>).</summary>
    [Required(AllowEmptyStrings = false)]
    public string ConnectionString { get; set; } = "";

    /// <summary>Whether vector search runs in PostgreSQL with pgvector: <see cref="PgvectorMode.Auto"/> uses it when
    /// the server has the extension (creating it if allowed) and otherwise searches vectors in process.</summary>
    public PgvectorMode Pgvector { get; set; } = PgvectorMode.Auto;

    /// <summary>pgvector's <c>hnsw.ef_search</c> per query: higher finds more of the true nearest neighbours, slower.
    /// Raised to the requested result count when that is larger.</summary>
    [Range(1, 1000)]
    public int HnswEfSearch { get; set; } = 100;

    /// <summary>Below this many candidate vectors (after the tenant/knowledge-base filter) the search is exact: a scan is
    /// then cheap and never misses a neighbour.</summary>
    [Range(0, int.MaxValue)]
    public int ExactSearchBelow { get; set; } = 20_000;

    /// <summary>Rows kept in the change feed that in-process vector indexes catch up from; an index further behind
    /// rebuilds from the store instead.</summary>
    [Range(1_000, int.MaxValue)]
    public int IndexChangeRetention { get; set; } = 100_000;

    /// <summary>Claims of a job beyond this count dead-letter it (status failed, error says so) instead of running it
    /// again: a document that kills its worker every time must not circulate forever.</summary>
    [Range(1, 100)]
    public int MaxJobAttempts { get; set; } = 5;
}

public enum PgvectorMode
{
    /// <summary>Use pgvector when the server has it; otherwise search vectors in process.</summary>
    Auto,
    /// <summary>Refuse to start without pgvector.</summary>
    Required,
    /// <summary>Never use pgvector: vectors are stored as arrays and searched in process.</summary>
    Off,
}
