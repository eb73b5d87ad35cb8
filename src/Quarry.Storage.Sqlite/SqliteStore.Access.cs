using Microsoft.Data.Sqlite;
using Quarry.Access;
using Quarry.Documents;

namespace Quarry.Storage.Sqlite;

/// <summary>Document access lists: each distinct list stored once (see migration 0010), documents point at it.</summary>
internal sealed partial class SqliteStore
{
    public async Task<DocumentRecord?> SetDocumentAccessAsync(TenantId tenant, DocumentId document, IReadOnlyList<string> allow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(allow);
        var changed = await _database.WriteAsync(
            (connection, ct) => ApplyAccessAsync(connection, tenant.Value, document.Value, allow, ct), cancellationToken);
        // The documents trigger recorded the change, so in-process vector indexes re-read the list.
        return changed ? await GetDocumentAsync(tenant, document, cancellationToken) : null;
    }

    /// <summary>Points the document, and what it carries (an email's attachments, which must never be more open than
    /// the email), at the (possibly new) stored list; inside the caller's write transaction.</summary>
    private static async Task<bool> ApplyAccessAsync(SqliteConnection connection, string tenant, string doc, IReadOnlyList<string> allow, CancellationToken ct)
    {
        long? aclId = null;
        if (allow.Count > 0)
        {
            var entries = AccessList.Key(allow);
            await using (var list = connection.Command("""
                INSERT INTO access_lists (tenant_id, entries) VALUES ($tenant, $entries) ON CONFLICT (tenant_id, entries) DO NOTHING;
                """).With("$tenant", tenant).With("$entries", entries))
                await list.ExecuteNonQueryAsync(ct);
            await using (var find = connection.Command("SELECT acl_id FROM access_lists WHERE tenant_id = $tenant AND entries = $entries;")
                .With("$tenant", tenant).With("$entries", entries))
                aclId = (long)(await find.ExecuteScalarAsync(ct))!;
            await using var rows = connection.Command("""
                INSERT OR IGNORE INTO access_list_entries (tenant_id, principal, acl_id) SELECT $tenant, value, $acl FROM json_each($allow);
                """).With("$tenant", tenant).With("$acl", aclId).With("$allow", SqlFilters.JsonArray(allow));
            await rows.ExecuteNonQueryAsync(ct);
        }
        await using var update = connection.Command("""
            UPDATE documents SET acl_id = $acl WHERE tenant_id = $tenant AND (id = $doc OR parent_id = $doc);
            """).With("$acl", aclId).With("$tenant", tenant).With("$doc", doc);
        return await update.ExecuteNonQueryAsync(ct) > 0;
    }

    private static string[] ReadAllow(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? [] : reader.GetString(ordinal).Split('\n');
}
