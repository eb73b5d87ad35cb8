using Npgsql;
using NpgsqlTypes;
using Quarry.Audit;
using Quarry.Documents;

namespace Quarry.Storage.Postgres;

/// <summary>
/// The audit trail, shared by every replica. An append locks the chain-head row of each tenant it touches (in tenant
/// order, so two appends never deadlock) before reading it, so the chains of one tenant are extended one transaction
/// at a time wherever the writers run.
/// </summary>
internal sealed partial class PostgresStore : IAuditStore
{
    private const string AuditColumns = """
        id, tenant_id, sequence, occurred_at, key_id, user_id, route, knowledge_bases::text, subject, question, filters, retrieved::text,
        cited::text, model, fallback_path, grounded, abstained, answer_text, latency_ms, status, trace_id, prev_hash, hash
        """;

    public async Task<IReadOnlyList<AuditRecord>> AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0) return [];
        var tenants = records.Select(r => r.Tenant).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return await _database.WriteAsync(async (connection, transaction, ct) =>
        {
            var heads = new Dictionary<string, AuditChainHead?>(StringComparer.Ordinal);
            foreach (var tenant in tenants)
            {
                // The row must exist to be locked; a concurrent first insert waits on the unique index, then does nothing.
                await using (var ensure = connection.Command("""
                    INSERT INTO audit_chain_heads (tenant_id, sequence, hash) VALUES (@tenant, 0, '') ON CONFLICT (tenant_id) DO NOTHING;
                    """, transaction).Arg("tenant", tenant))
                    await ensure.ExecuteNonQueryAsync(ct);
                await using var select = connection.Command("SELECT sequence, hash FROM audit_chain_heads WHERE tenant_id = @tenant FOR UPDATE;", transaction)
                    .Arg("tenant", tenant);
                await using var reader = await select.ExecuteReaderAsync(ct);
                await reader.ReadAsync(ct);
                var sequence = reader.GetInt64(0);
                heads[tenant] = sequence == 0 ? null : new AuditChainHead(sequence, reader.GetString(1));
            }

            var stored = new List<AuditRecord>(records.Count);
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var record in records)
            {
                var linked = AuditChain.Link(record, heads[record.Tenant]);
                heads[record.Tenant] = new AuditChainHead(linked.Sequence, linked.Hash);
                AddInsert(batch, linked);
                stored.Add(linked);
            }
            foreach (var (tenant, head) in heads)
            {
                batch.Statement("UPDATE audit_chain_heads SET sequence = @seq, hash = @hash WHERE tenant_id = @tenant;")
                    .Arg("tenant", tenant).Arg("seq", head!.Sequence).Arg("hash", head.Hash);
            }
            await batch.ExecuteNonQueryAsync(ct);
            return (IReadOnlyList<AuditRecord>)stored;
        }, cancellationToken);
    }

    public async Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"""
            SELECT {AuditColumns} FROM audit_records
            WHERE tenant_id = @tenant
              AND (@before::bigint IS NULL OR sequence < @before)
              AND (@from::timestamptz IS NULL OR occurred_at >= @from)
              AND (@to::timestamptz IS NULL OR occurred_at < @to)
              AND (@route::text IS NULL OR route = @route)
              AND (@key::text IS NULL OR key_id = @key)
              AND (@doc::text IS NULL OR (route = 'document.deleted' AND subject = @doc)
                   OR retrieved @> jsonb_build_array(jsonb_build_object('documentId', @doc::text))
                   OR cited @> jsonb_build_array(jsonb_build_object('documentId', @doc::text)))
            ORDER BY sequence DESC
            LIMIT @limit;
            """).Arg("tenant", query.Tenant.Value).Arg("limit", query.Limit + 1);
        command.Parameters.Add(Nullable("before", NpgsqlDbType.Bigint, query.Before));
        command.Parameters.Add(Nullable("from", NpgsqlDbType.TimestampTz, query.From?.ToUniversalTime()));
        command.Parameters.Add(Nullable("to", NpgsqlDbType.TimestampTz, query.To?.ToUniversalTime()));
        command.Parameters.Add(Nullable("route", NpgsqlDbType.Text, query.Route));
        command.Parameters.Add(Nullable("key", NpgsqlDbType.Text, query.KeyId));
        command.Parameters.Add(Nullable("doc", NpgsqlDbType.Text, query.DocumentId));
        return AuditPage.FromOneMore(await ReadAuditAsync(command, cancellationToken), query.Limit);
    }

    public async Task<AuditRecord?> GetAsync(TenantId tenant, string id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {AuditColumns} FROM audit_records WHERE tenant_id = @tenant AND id = @id;")
            .Arg("tenant", tenant.Value).Arg("id", id);
        return (await ReadAuditAsync(command, cancellationToken)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<AuditRecord>> ReadChainAsync(TenantId tenant, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"""
            SELECT {AuditColumns} FROM audit_records WHERE tenant_id = @tenant AND sequence > @after ORDER BY sequence LIMIT @limit;
            """).Arg("tenant", tenant.Value).Arg("after", afterSequence).Arg("limit", limit);
        return await ReadAuditAsync(command, cancellationToken);
    }

    public async Task<AuditChainState> GetChainStateAsync(TenantId tenant, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        // One statement, one snapshot: a purge committing in between is seen whole or not at all.
        await using var command = connection.Command("""
            SELECT h.sequence, h.hash, c.sequence, c.hash, c.created_at, c.signature
            FROM (SELECT @tenant::text AS tenant_id) t
            LEFT JOIN audit_chain_heads h ON h.tenant_id = t.tenant_id AND h.sequence > 0
            LEFT JOIN audit_checkpoints c ON c.tenant_id = t.tenant_id;
            """).Arg("tenant", tenant.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var head = reader.IsDBNull(0) ? null : new AuditChainHead(reader.GetInt64(0), reader.GetString(1));
        var checkpoint = reader.IsDBNull(2) ? null : new AuditCheckpoint(tenant.Value, reader.GetInt64(2), reader.GetString(3),
            reader.GetFieldValue<DateTimeOffset>(4), reader.GetString(5));
        return new AuditChainState(head, checkpoint);
    }

    public async Task<IReadOnlyList<TenantId>> ListTenantsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT tenant_id FROM audit_chain_heads WHERE sequence > 0 ORDER BY tenant_id;");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tenants = new List<TenantId>();
        while (await reader.ReadAsync(cancellationToken)) tenants.Add(new TenantId(reader.GetString(0)));
        return tenants;
    }

    public async Task<int> PurgeAsync(TenantId tenant, DateTimeOffset before, Func<AuditCheckpoint, string> sign, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sign);
        var now = Now();
        // Milliseconds, as the checkpoint's signature covers them.
        now = AuditChain.Truncate(now);
        return await _database.WriteAsync(async (connection, transaction, ct) =>
        {
            // Appenders of the tenant wait while the prefix is cut, so the head and the checkpoint stay consistent.
            await using (var lockHead = connection.Command("SELECT 1 FROM audit_chain_heads WHERE tenant_id = @tenant FOR UPDATE;", transaction)
                .Arg("tenant", tenant.Value))
                await lockHead.ExecuteNonQueryAsync(ct);
            long sequence;
            string hash;
            await using (var last = connection.Command("""
                SELECT sequence, hash FROM audit_records
                WHERE tenant_id = @tenant
                  AND sequence < coalesce((SELECT min(sequence) FROM audit_records WHERE tenant_id = @tenant AND occurred_at >= @before), 9223372036854775807)
                ORDER BY sequence DESC LIMIT 1;
                """, transaction).Arg("tenant", tenant.Value).Arg("before", before.ToUniversalTime()))
            await using (var reader = await last.ExecuteReaderAsync(ct))
            {
                if (!await reader.ReadAsync(ct)) return 0;
                sequence = reader.GetInt64(0);
                hash = reader.GetString(1);
            }
            await using var delete = connection.Command("DELETE FROM audit_records WHERE tenant_id = @tenant AND sequence <= @seq;", transaction)
                .Arg("tenant", tenant.Value).Arg("seq", sequence);
            var deleted = await delete.ExecuteNonQueryAsync(ct);
            var signature = sign(new AuditCheckpoint(tenant.Value, sequence, hash, now, ""));
            await using var save = connection.Command("""
                INSERT INTO audit_checkpoints (tenant_id, sequence, hash, created_at, signature) VALUES (@tenant, @seq, @hash, @at, @sig)
                ON CONFLICT (tenant_id) DO UPDATE SET sequence = excluded.sequence, hash = excluded.hash, created_at = excluded.created_at, signature = excluded.signature;
                """, transaction).Arg("tenant", tenant.Value).Arg("seq", sequence).Arg("hash", hash).Arg("at", now).Arg("sig", signature);
            await save.ExecuteNonQueryAsync(ct);
            return deleted;
        }, cancellationToken);
    }

    private static void AddInsert(NpgsqlBatch batch, AuditRecord r)
    {
        var statement = batch.Statement("""
            INSERT INTO audit_records (id, tenant_id, sequence, occurred_at, key_id, user_id, route, knowledge_bases, subject, question, filters,
                                       retrieved, cited, model, fallback_path, grounded, abstained, answer_text, latency_ms, status, trace_id, prev_hash, hash)
            VALUES (@id, @tenant, @seq, @at, @key, @user, @route, @kbs::jsonb, @subject, @question, @filters, @retrieved::jsonb, @cited::jsonb,
                    @model, @fallback, @grounded, @abstained, @answer, @latency, @status, @trace, @prev, @hash);
            """).Arg("id", r.Id).Arg("tenant", r.Tenant).Arg("seq", r.Sequence).Arg("at", r.Time)
            .Text("key", r.KeyId).Text("user", r.User).Arg("route", r.Route).Arg("kbs", AuditJson.Write(r.KnowledgeBases))
            .Text("subject", r.Subject).Text("question", r.Question).Text("filters", r.Filters)
            .Arg("retrieved", AuditJson.Write(r.Retrieved)).Arg("cited", AuditJson.Write(r.Cited))
            .Text("model", r.Model).Text("fallback", r.FallbackPath).Text("answer", r.AnswerText).Text("trace", r.TraceId)
            .Arg("latency", r.LatencyMs).Arg("status", r.Status).Arg("prev", r.PrevHash).Arg("hash", r.Hash);
        statement.Parameters.Add(Nullable("grounded", NpgsqlDbType.Boolean, r.Grounded));
        statement.Parameters.Add(Nullable("abstained", NpgsqlDbType.Boolean, r.Abstained));
    }

    private static NpgsqlParameter Nullable<T>(string name, NpgsqlDbType type, T? value) where T : struct =>
        new(name, type) { Value = value is { } v ? v : DBNull.Value };

    private static NpgsqlParameter Nullable(string name, NpgsqlDbType type, string? value) =>
        new(name, type) { Value = (object?)value ?? DBNull.Value };

    private static async Task<List<AuditRecord>> ReadAuditAsync(NpgsqlCommand command, CancellationToken ct)
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
                Time = reader.GetFieldValue<DateTimeOffset>(3),
                KeyId = reader.IsDBNull(4) ? null : reader.GetString(4),
                User = reader.IsDBNull(5) ? null : reader.GetString(5),
                Route = reader.GetString(6),
                KnowledgeBases = AuditJson.Read<string>(reader.GetString(7)),
                Subject = reader.IsDBNull(8) ? null : reader.GetString(8),
                Question = reader.IsDBNull(9) ? null : reader.GetString(9),
                Filters = reader.IsDBNull(10) ? null : reader.GetString(10),
                Retrieved = AuditJson.Read<AuditRetrieved>(reader.GetString(11)),
                Cited = AuditJson.Read<AuditCited>(reader.GetString(12)),
                Model = reader.IsDBNull(13) ? null : reader.GetString(13),
                FallbackPath = reader.IsDBNull(14) ? null : reader.GetString(14),
                Grounded = reader.IsDBNull(15) ? null : reader.GetBoolean(15),
                Abstained = reader.IsDBNull(16) ? null : reader.GetBoolean(16),
                AnswerText = reader.IsDBNull(17) ? null : reader.GetString(17),
                LatencyMs = reader.GetDouble(18),
                Status = reader.GetInt32(19),
                TraceId = reader.IsDBNull(20) ? null : reader.GetString(20),
                PrevHash = reader.GetString(21),
                Hash = reader.GetString(22),
            });
        }
        return records;
    }
}
