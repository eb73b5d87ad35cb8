using System.Globalization;
using System.Text;
using System.Text.Json;
using Quarry.Caching;
using Quarry.Documents;

namespace Quarry.Storage.Sqlite;

internal sealed partial class SqliteStore : IKnowledgeVersions
{
    public async Task<string> GetKnowledgeVersionAsync(TenantId tenant, IReadOnlyList<KnowledgeBaseId> knowledgeBases, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(knowledgeBases);
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT id, knowledge_version FROM knowledge_bases
            WHERE tenant_id = $tenant AND ($all = 1 OR id IN (SELECT value FROM json_each($ids)))
            ORDER BY id;
            """)
            .With("$tenant", tenant.Value).With("$all", knowledgeBases.Count == 0 ? 1 : 0)
            .With("$ids", JsonSerializer.Serialize(knowledgeBases.Select(k => k.Value)));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new StringBuilder();
        while (await reader.ReadAsync(cancellationToken))
            versions.Append(reader.GetString(0)).Append('=').Append(reader.GetInt64(1).ToString(CultureInfo.InvariantCulture)).Append(';');
        return versions.ToString();
    }
}
