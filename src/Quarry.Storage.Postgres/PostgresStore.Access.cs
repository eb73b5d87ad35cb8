using Npgsql;
using Quarry.Access;
using Quarry.Documents;

namespace Quarry.Storage.Postgres;

/// <summary>Document access lists: each distinct list stored once (see migration 0008), documents point at it.</summary>
internal sealed partial class PostgresStore
{
    public async Task<DocumentRecord?> SetDocumentAccessAsync(TenantId tenant, DocumentId document, IReadOnlyList<string> allow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(allow);
        var changed = await _database.WriteAsync(async (connection, transaction, ct) =>
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            AddAccess(batch, tenant.Value, document.Value, allow);
            var updated = await batch.ExecuteNonQueryAsync(ct) > 0;
            // In-process vector indexes elsewhere re-read the document and its list.
            await RecordChangesAsync(connection, transaction, tenant, updated ? [document.Value] : [], ct);
            return updated;
        }, cancellationToken);
        return changed ? await GetDocumentAsync(tenant, document, cancellationToken) : null;
    }

    /// <summary>Points the document at its (possibly new) stored list, in one statement of the caller's batch. The
    /// no-op update on conflict makes RETURNING yield the existing list's id.</summary>
    private static void AddAccess(NpgsqlBatch batch, string tenant, string doc, IReadOnlyList<string> allow) =>
        batch.Statement("""
            WITH l AS (
                INSERT INTO access_lists (tenant_id, entries) SELECT @tenant, @entries WHERE cardinality(@allow) > 0
                ON CONFLICT (tenant_id, entries) DO UPDATE SET entries = EXCLUDED.entries
                RETURNING acl_id
            ), e AS (
                INSERT INTO access_list_entries (tenant_id, principal, acl_id)
                SELECT @tenant, p, l.acl_id FROM l, unnest(@allow) AS p
                ON CONFLICT DO NOTHING
            )
            UPDATE documents SET acl_id = (SELECT acl_id FROM l) WHERE tenant_id = @tenant AND (id = @doc OR parent_id = @doc);
            """).Arg("tenant", tenant).Arg("doc", doc).Arg("entries", AccessList.Key(allow)).Arg("allow", allow.ToArray());
}
