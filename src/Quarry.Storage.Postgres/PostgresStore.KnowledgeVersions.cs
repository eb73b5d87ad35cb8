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
            SELECT id, knowledge_version FROM knowledge_bases
            WHERE tenant_id = @tenant AND (cardinality(@ids) = 0 OR id = ANY(@ids))
            ORDER BY id COLLATE "C";
            """).Arg("tenant", tenant.Value).Arg("ids", knowledgeBases.Select(k => k.Value).ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new StringBuilder();
        while (await reader.ReadAsync(cancellationToken))
            versions.Append(reader.GetString(0)).Append('=').Append(reader.GetInt64(1).ToString(CultureInfo.InvariantCulture)).Append(';');
        return versions.ToString();
    }
}
