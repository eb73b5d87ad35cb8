using System.Globalization;
using System.Text;
using Quarry.Caching;
using Quarry.Documents;

namespace Quarry.Storage.Postgres;

internal sealed partial class PostgresStore : IKnowledgeVersions
{
    public async Task<string> GetKnowledgeVersionAsync(TenantId tenant, IReadOnlyList<KnowledgeBaseId> knowledgeBases, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(knowledgeBases);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT k.id, coalesce(v.version, 0) FROM knowledge_bases k
            LEFT JOIN knowledge_versions v ON v.tenant_id = k.tenant_id AND v.kb_id = k.id
            WHERE k.tenant_id = @tenant AND (cardinality(@ids) = 0 OR k.id = ANY(@ids))
            ORDER BY k.id COLLATE "C";
            """).Arg("tenant", tenant.Value).Arg("ids", knowledgeBases.Select(k => k.Value).ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new StringBuilder();
        while (await reader.ReadAsync(cancellationToken))
            versions.Append(reader.GetString(0)).Append('=').Append(reader.GetInt64(1).ToString(CultureInfo.InvariantCulture)).Append(';');
        return versions.ToString();
    }
}
