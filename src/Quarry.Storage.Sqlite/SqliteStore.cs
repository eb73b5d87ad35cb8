using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Quarry.Indexing;
using Quarry.Ingestion;

namespace Quarry.Storage.Sqlite;

/// <summary>
/// The embedded store: documents, keyword index and ingestion queue in one SQLite file, so that a document, its
/// chunks, their FTS rows and embeddings always change in one transaction. It is also the embedding cache
/// (<c>SqliteStore.EmbeddingCache.cs</c>).
/// </summary>
internal sealed partial class SqliteStore : IDocumentStore, IKeywordIndex, IIngestionJobStore, IDisposable
{
    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;
    private readonly ILogger<SqliteStore> _logger;
    private readonly int _indexChangeRetention;

    public SqliteStore(SqliteStorageOptions options, TimeProvider time, ILogger<SqliteStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _logger = logger;
        _indexChangeRetention = options.IndexChangeRetention;
        _database = new SqliteDatabase(options, time, logger);
    }

    internal SqliteDatabase Database => _database;

    private DateTimeOffset Now() => UnixTime.Now(_time);

    private static string NewId(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public void Dispose()
    {
        _database.Dispose();
        _vocabularyGate.Dispose();
    }
}
