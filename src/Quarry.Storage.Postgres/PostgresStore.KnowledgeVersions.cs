using System.Globalization;
using System.Text;
using Quarry.Caching;
using Quarry.Documents;

namespace Quarry.Storage.Postgres;

internal sealed partial class PostgresStore : IKnowledgeVersions
{
    /// <summary>Rows of one knowledge base in <c>knowledge_changes</c> beyond which a reader folds them into one.</summary>
    private const int FoldAbove = 64;

    public async Task<string> GetKnowledgeVersionAsync(TenantId tenant, IReadOnlyList<KnowledgeBaseId> knowledgeBases, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(knowledgeBases);
        await using var connection = await _database.OpenAsync(cancellationToken);
        var versions = new StringBuilder();
        var toFold = new List<string>();
        await using (var command = connection.Command("""
            SELECT k.id, coalesce(c.version, 0), coalesce(c.rows, 0) FROM knowledge_bases k
            LEFT JOIN LATERAL (SELECT sum(weight)::bigint AS version, count(*) AS rows FROM knowledge_changes
                               WHERE tenant_id = k.tenant_id AND kb_id = k.id) c ON true
            WHERE k.tenant_id = @tenant AND (cardinality(@ids) = 0 OR k.id = ANY(@ids))
            ORDER BY k.id COLLATE "C";
            """).Arg("tenant", tenant.Value).Arg("ids", knowledgeBases.Select(k => k.Value).ToArray()))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                versions.Append(reader.GetString(0)).Append('=').Append(reader.GetInt64(1).ToString(CultureInfo.InvariantCulture)).Append(';');
                if (reader.GetInt64(2) > FoldAbove) toFold.Add(reader.GetString(0));
            }
        }
        foreach (var kb in toFold)
        {
            // One statement: the rows it deletes are replaced by their sum, rows committed meanwhile are left alone, so
            // every reader sees the same total before and after.
            await using var fold = connection.Command("""
                WITH gone AS (DELETE FROM knowledge_changes WHERE tenant_id = @tenant AND kb_id = @kb RETURNING weight)
                INSERT INTO knowledge_changes (tenant_id, kb_id, weight) SELECT @tenant, @kb, sum(weight) FROM gone HAVING count(*) > 0;
                """).Arg("tenant", tenant.Value).Arg("kb", kb);
            await fold.ExecuteNonQueryAsync(cancellationToken);
        }
        return versions.ToString();
    }
}
