using Microsoft.Data.Sqlite;
using Quarry.Audit;
using Quarry.Documents;

namespace Quarry.Storage.Sqlite;

/// <summary>The audit trail. Appends run in the store's one write transaction (BEGIN IMMEDIATE), which already
/// serializes every writer of the file, so reading a chain head and moving it cannot race.</summary>
internal sealed partial class SqliteStore : IAuditStore
{
    private const string AuditColumns = """
        id, tenant_id, sequence, occurred_at, key_id, user_id, route, knowledge_bases, subject, question, filters, retrieved,
        cited, model, fallback_path, grounded, abstained, answer_text, latency_ms, status, trace_id, prev_hash, hash
        """;

    public async Task<IReadOnlyList<AuditRecord>> AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0) return [];
        return await _database.WriteAsync(async (connection, ct) =>
        {
            var heads = new Dictionary<string, AuditChainHead?>(StringComparer.Ordinal);
            var stored = new List<AuditRecord>(records.Count);
            foreach (var record in records)
            {
                if (!heads.TryGetValue(record.Tenant, out var head))
                    head = await ReadHeadAsync(connection, record.Tenant, ct);
                var linked = AuditChain.Link(record, head);
                await InsertAuditAsync(connection, linked, ct);
                heads[record.Tenant] = new AuditChainHead(linked.Sequence, linked.Hash);
                stored.Add(linked);
            }
            foreach (var (tenant, head) in heads)
            {
                await using var upsert = connection.Command("""
                    INSERT INTO audit_chain_heads (tenant_id, sequence, hash) VALUES ($tenant, $seq, $hash)
                    ON CONFLICT (tenant_id) DO UPDATE SET sequence = excluded.sequence, hash = excluded.hash;
                    """).With("$tenant", tenant).With("$seq", head!.Sequence).With("$hash", head.Hash);
                await upsert.ExecuteNonQueryAsync(ct);
            }
            return (IReadOnlyList<AuditRecord>)stored;
        }, cancellationToken);
    }

    public async Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command($"""
            SELECT {AuditColumns} FROM audit_records
            WHERE tenant_id = $tenant
              AND ($before IS NULL OR sequence < $before)
              AND ($from IS NULL OR occurred_at >= $from)
              AND ($to IS NULL OR occurred_at < $to)
              AND ($route IS NULL OR route = $route)
              AND ($key IS NULL OR key_id = $key)
              AND ($doc IS NULL OR (route = 'document.deleted' AND subject = $doc)
                   OR EXISTS (SELECT 1 FROM json_each(retrieved) WHERE json_extract(value, '$.documentId') = $doc)
                   OR EXISTS (SELECT 1 FROM json_each(cited) WHERE json_extract(value, '$.documentId') = $doc))
            ORDER BY sequence DESC
            LIMIT $limit;
            """).With("$tenant", query.Tenant.Value).With("$before", query.Before)
            .With("$from", query.From is { } from ? UnixTime.ToMs(from) : null)
            .With("$to", query.To is { } to ? UnixTime.ToMs(to) : null)
            .With("$route", query.Route).With("$key", query.KeyId).With("$doc", query.DocumentId).With("$limit", query.Limit + 1);
        return AuditPage.FromOneMore(await ReadAuditAsync(command, cancellationToken), query.Limit);
    }

    public async Task<AuditRecord?> GetAsync(TenantId tenant, string id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {AuditColumns} FROM audit_records WHERE tenant_id = $tenant AND id = $id;")
            .With("$tenant", tenant.Value).With("$id", id);
        return (await ReadAuditAsync(command, cancellationToken)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<AuditRecord>> ReadChainAsync(TenantId tenant, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command($"""
            SELECT {AuditColumns} FROM audit_records WHERE tenant_id = $tenant AND sequence > $after ORDER BY sequence LIMIT $limit;
            """).With("$tenant", tenant.Value).With("$after", afterSequence).With("$limit", limit);
        return await ReadAuditAsync(command, cancellationToken);
    }

    public async Task<AuditChainState> GetChainStateAsync(TenantId tenant, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        // One snapshot: a purge between the two reads must not be seen half.
        await using var transaction = connection.BeginTransaction(deferred: true);
        var head = await ReadHeadAsync(connection, tenant.Value, cancellationToken);
        await using var command = connection.Command("SELECT sequence, hash, created_at, signature FROM audit_checkpoints WHERE tenant_id = $tenant;")
            .With("$tenant", tenant.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var checkpoint = await reader.ReadAsync(cancellationToken)
            ? new AuditCheckpoint(tenant.Value, reader.GetInt64(0), reader.GetString(1), UnixTime.FromMs(reader.GetInt64(2)), reader.GetString(3))
            : null;
        return new AuditChainState(head, checkpoint);
    }

    public async Task<IReadOnlyList<TenantId>> ListTenantsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command("SELECT tenant_id FROM audit_chain_heads ORDER BY tenant_id;");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tenants = new List<TenantId>();
        while (await reader.ReadAsync(cancellationToken)) tenants.Add(new TenantId(reader.GetString(0)));
        return tenants;
    }

    public async Task<int> PurgeAsync(TenantId tenant, DateTimeOffset before, Func<AuditCheckpoint, string> sign, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sign);
        var now = Now();
        return await _database.WriteAsync(async (connection, ct) =>
        {
            // The last record of the longest prefix that is entirely older than the cutoff.
            await using var last = connection.Command("""
                SELECT sequence, hash FROM audit_records
                WHERE tenant_id = $tenant
                  AND sequence < coalesce((SELECT min(sequence) FROM audit_records WHERE tenant_id = $tenant AND occurred_at >= $before), 9223372036854775807)
                ORDER BY sequence DESC LIMIT 1;
                """).With("$tenant", tenant.Value).With("$before", UnixTime.ToMs(before));
            long sequence;
            string hash;
            await using (var reader = await last.ExecuteReaderAsync(ct))
            {
                if (!await reader.ReadAsync(ct)) return 0;
                sequence = reader.GetInt64(0);
                hash = reader.GetString(1);
            }
            await using var delete = connection.Command("DELETE FROM audit_records WHERE tenant_id = $tenant AND sequence <= $seq;")
                .With("$tenant", tenant.Value).With("$seq", sequence);
            var deleted = await delete.ExecuteNonQueryAsync(ct);
            var checkpoint = new AuditCheckpoint(tenant.Value, sequence, hash, now, "");
            await using var save = connection.Command("""
                INSERT INTO audit_checkpoints (tenant_id, sequence, hash, created_at, signature) VALUES ($tenant, $seq, $hash, $at, $sig)
                ON CONFLICT (tenant_id) DO UPDATE SET sequence = excluded.sequence, hash = excluded.hash, created_at = excluded.created_at, signature = excluded.signature;
                """).With("$tenant", tenant.Value).With("$seq", sequence).With("$hash", hash).With("$at", UnixTime.ToMs(now)).With("$sig", sign(checkpoint));
            await save.ExecuteNonQueryAsync(ct);
            return deleted;
        }, cancellationToken);
    }

    private static async Task<AuditChainHead?> ReadHeadAsync(SqliteConnection connection, string tenant, CancellationToken ct)
    {
        await using var command = connection.Command("SELECT sequence, hash FROM audit_chain_heads WHERE tenant_id = $tenant;").With("$tenant", tenant);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new AuditChainHead(reader.GetInt64(0), reader.GetString(1)) : null;
    }

    private static async Task InsertAuditAsync(SqliteConnection connection, AuditRecord r, CancellationToken ct)
    {
        await using var insert = connection.Command($"""
            INSERT INTO audit_records ({AuditColumns})
            VALUES ($id, $tenant, $seq, $at, $key, $user, $route, $kbs, $subject, $question, $filters, $retrieved, $cited, $model,
                    $fallback, $grounded, $abstained, $answer, $latency, $status, $trace, $prev, $hash);
            """).With("$id", r.Id).With("$tenant", r.Tenant).With("$seq", r.Sequence).With("$at", UnixTime.ToMs(r.Time))
            .With("$key", r.KeyId).With("$user", r.User).With("$route", r.Route).With("$kbs", AuditJson.Write(r.KnowledgeBases))
            .With("$subject", r.Subject).With("$question", r.Question).With("$filters", r.Filters)
            .With("$retrieved", AuditJson.Write(r.Retrieved)).With("$cited", AuditJson.Write(r.Cited)).With("$model", r.Model)
            .With("$fallback", r.FallbackPath).With("$grounded", r.Grounded).With("$abstained", r.Abstained).With("$answer", r.AnswerText)
            .With("$latency", r.LatencyMs).With("$status", r.Status).With("$trace", r.TraceId).With("$prev", r.PrevHash).With("$hash", r.Hash);
        await insert.ExecuteNonQueryAsync(ct);
    }

    private static async Task<List<AuditRecord>> ReadAuditAsync(SqliteCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        var records = new List<AuditRecord>();
        while (await reader.ReadAsync(ct))
        {
            records.Add(new AuditRecord
            {
                Id = reader.GetString(0),
                Tenant = reader.GetString(1),
                Sequence = reader.GetInt64(2),
                Time = UnixTime.FromMs(reader.GetInt64(3)),
                KeyId = reader.GetNullableString(4),
                User = reader.GetNullableString(5),
                Route = reader.GetString(6),
                KnowledgeBases = AuditJson.Read<string>(reader.GetString(7)),
                Subject = reader.GetNullableString(8),
                Question = reader.GetNullableString(9),
                Filters = reader.GetNullableString(10),
                Retrieved = AuditJson.Read<AuditRetrieved>(reader.GetString(11)),
                Cited = AuditJson.Read<AuditCited>(reader.GetString(12)),
                Model = reader.GetNullableString(13),
                FallbackPath = reader.GetNullableString(14),
                Grounded = reader.IsDBNull(15) ? null : reader.GetInt64(15) != 0,
                Abstained = reader.IsDBNull(16) ? null : reader.GetInt64(16) != 0,
                AnswerText = reader.GetNullableString(17),
                LatencyMs = reader.GetDouble(18),
                Status = reader.GetInt32(19),
                TraceId = reader.GetNullableString(20),
                PrevHash = reader.GetString(21),
                Hash = reader.GetString(22),
            });
        }
        return records;
    }
}
