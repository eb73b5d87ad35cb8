using System.Data;
using Npgsql;
using Quarry.Diagnostics;
using Quarry.Documents;
using Quarry.Indexing;

namespace Quarry.Storage.Postgres;

/// <summary>
/// The change feed of <c>index_changes</c>. An identity column alone numbers rows in insertion order, not commit order:
/// a reader could pass a number whose transaction commits later and never read it. So every writer inserts its rows
/// last in its transaction, after taking one transaction-scoped advisory lock, which it holds until its commit is
/// visible: the next writer numbers its rows after, and every reader sees a prefix of the sequence.
/// </summary>
internal sealed partial class PostgresStore : IIndexChangeFeed
{
    /// <summary>"quarry" + "ic" in ASCII: the change feed's advisory lock, distinct from the migrator's.</summary>
    private const long IndexChangeLockKey = 0x7175617272796963;

    private const string HeadSql = "SELECT coalesce(max(seq), 0) FROM index_changes";

    public async Task<long> GetHeadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command(HeadSql + ";");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<IndexChangePage> ReadChangesAsync(long after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return await ReadSnapshotAsync(async (connection, transaction, ct) =>
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            batch.Statement($"SELECT ({HeadSql}), (SELECT min(seq) FROM index_changes);");
            batch.Statement("SELECT seq, tenant_id, doc_id FROM index_changes WHERE seq > @after ORDER BY seq LIMIT @limit;")
                .Arg("after", after).Arg("limit", limit);
            await using var reader = await batch.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            var head = reader.GetInt64(0);
            long? oldest = reader.IsDBNull(1) ? null : reader.GetInt64(1);
            // Rows after the reader's position were pruned, or the numbering restarted (another database).
            if (after > head || (after < head && (oldest is null || oldest > after + 1)))
                return new IndexChangePage([], head, Truncated: true);

            await reader.NextResultAsync(ct);
            var changes = new List<IndexChange>();
            while (await reader.ReadAsync(ct))
                changes.Add(new IndexChange(reader.GetInt64(0), new TenantId(reader.GetString(1)), new DocumentId(reader.GetString(2))));
            return new IndexChangePage(changes, head, Truncated: false);
        }, cancellationToken);
    }

    /// <summary>
    /// Names <paramref name="documents"/> in the change feed and prunes it to the newest
    /// <see cref="PostgresStorageOptions.IndexChangeRetention"/> rows. Must be the last statement of a write: the
    /// advisory lock is held to the commit, and everything taken before it (row locks) must be taken already, or a
    /// writer holding it could wait on a writer waiting for it.
    /// </summary>
    private async Task RecordChangesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, TenantId tenant, string[] documents, CancellationToken cancellationToken)
    {
        if (documents.Length == 0)
            return;
        await using var batch = new NpgsqlBatch(connection, transaction);
        AddChanges(batch, tenant, documents);
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Appends the change-feed statements of <see cref="RecordChangesAsync"/> to a write's last batch.</summary>
    private void AddChanges(NpgsqlBatch batch, TenantId tenant, string[] documents)
    {
        batch.Statement("SELECT pg_advisory_xact_lock(@key);").Arg("key", IndexChangeLockKey);
        batch.Statement("INSERT INTO index_changes (tenant_id, doc_id) SELECT @tenant, unnest(@docs);")
            .Arg("tenant", tenant.Value).Arg("docs", documents);
        batch.Statement($"DELETE FROM index_changes WHERE seq <= ({HeadSql}) - @keep;")
            .Arg("keep", (long)_database.Options.IndexChangeRetention);
    }

    /// <summary>Several statements that must agree run in one read-only REPEATABLE READ transaction: one snapshot.</summary>
    private async Task<T> ReadSnapshotAsync<T>(
        Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using (var readOnly = connection.Command("SET TRANSACTION READ ONLY;", transaction))
            await readOnly.ExecuteNonQueryAsync(cancellationToken);
        var result = await read(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>A write transaction inside a telemetry stage that records the failure, if any.</summary>
    private async Task<T> WriteInStageAsync<T>(
        string name, Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        using var stage = QuarryTelemetry.StartStage(name);
        try
        {
            return await _database.WriteAsync(work, cancellationToken);
        }
        catch (Exception e)
        {
            stage.Fail(e);
            throw;
        }
    }
}
