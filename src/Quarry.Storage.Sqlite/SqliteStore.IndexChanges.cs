using System.Globalization;
using Microsoft.Data.Sqlite;
using Quarry.Documents;
using Quarry.Indexing;

namespace Quarry.Storage.Sqlite;

/// <summary>The change feed of migration 3: rows written by triggers on documents and by vector-only writes.</summary>
internal sealed partial class SqliteStore : IIndexChangeFeed
{
    private const string HeadSql = "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'index_changes'), 0)";

    public async Task<long> GetHeadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command(HeadSql + ";");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public async Task<IndexChangePage> ReadChangesAsync(long after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        // One snapshot for the bounds and the rows.
        await using var transaction = connection.BeginTransaction(deferred: true);
        await using var bounds = connection.Command(HeadSql + ", (SELECT min(seq) FROM index_changes);");
        long head;
        long? oldest;
        await using (var reader = await bounds.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            head = reader.GetInt64(0);
            oldest = reader.GetNullableInt64(1);
        }
        // Rows after the reader's position were pruned, or the numbering restarted (another database file).
        if (after > head || (after < head && (oldest is null || oldest > after + 1)))
            return new IndexChangePage([], head, Truncated: true);

        await using var command = connection.Command("SELECT seq, tenant_id, doc_id FROM index_changes WHERE seq > $after ORDER BY seq LIMIT $limit;")
            .With("$after", after).With("$limit", limit);
        await using var rows = await command.ExecuteReaderAsync(cancellationToken);
        var changes = new List<IndexChange>();
        while (await rows.ReadAsync(cancellationToken))
            changes.Add(new IndexChange(rows.GetInt64(0), new TenantId(rows.GetString(1)), new DocumentId(rows.GetString(2))));
        return new IndexChangePage(changes, head, Truncated: false);
    }

    /// <summary>Keeps the newest <see cref="SqliteStorageOptions.IndexChangeRetention"/> rows; called inside writes.</summary>
    private async Task PruneIndexChangesAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var prune = connection.Command($"DELETE FROM index_changes WHERE seq <= ({HeadSql}) - $keep;")
            .With("$keep", _indexChangeRetention);
        await prune.ExecuteNonQueryAsync(cancellationToken);
    }
}
