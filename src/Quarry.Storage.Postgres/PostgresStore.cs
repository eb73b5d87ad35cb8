using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Quarry.Storage.Postgres;

/// <summary>
/// The PostgreSQL store: documents, chunks and their full-text index, vectors, embedding cache, tenants' keys and the
/// change feed, shared by every replica. Each part lives in its own <c>PostgresStore.*.cs</c> file and declares the
/// interface it implements there. The ingestion queue is <see cref="PostgresJobQueue"/>; vector search with pgvector is
/// <see cref="PostgresVectorIndex"/>.
/// </summary>
internal sealed partial class PostgresStore
{
    private readonly PostgresDatabase _database;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgresStore> _logger;
    private readonly PgvectorIndexes _vectorIndexes;

    public PostgresStore(PostgresDatabase database, PgvectorIndexes vectorIndexes, TimeProvider time, ILogger<PostgresStore> logger)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(vectorIndexes);
        _database = database;
        _vectorIndexes = vectorIndexes;
        _time = time;
        _logger = logger;
    }

    internal PostgresDatabase Database => _database;

    /// <summary>Now, truncated to PostgreSQL's microsecond precision so that values read back compare equal.</summary>
    private DateTimeOffset Now()
    {
        var now = _time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % 10));
    }

    /// <summary>
    /// Creates the model's HNSW index (with pgvector) when its first vectors are stored, while the index is small: built
    /// later, on the first search, it would scan every vector of the model and hold up writers meanwhile. Runs after the
    /// write's transaction, on a connection of its own.
    /// </summary>
    private Task<bool> EnsureVectorIndexAsync(string model, int dimension, CancellationToken cancellationToken) =>
        _vectorIndexes.EnsureAsync(model, dimension, cancellationToken);

    private static string NewId(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}
