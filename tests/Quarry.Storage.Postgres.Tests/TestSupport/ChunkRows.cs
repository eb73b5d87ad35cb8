using Npgsql;
using Quarry.Documents;

namespace Quarry.Storage.Postgres.Tests.TestSupport;

/// <summary>
/// Puts searchable rows (knowledge base, document, one chunk) into the schema with plain SQL, for keyword tests that
/// must not depend on the document store's upsert. The tsvector is the generated column, as in production.
/// </summary>
internal static class ChunkRows
{
    public sealed record Row(string Id, string Title, string Text, string Section = "");

    public static async Task InsertAsync(string connectionString, TenantId tenant, string knowledgeBase, IEnumerable<Row> rows)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var at = DateTimeOffset.UnixEpoch;
        await using (var kb = new NpgsqlCommand(
            "INSERT INTO knowledge_bases (id, tenant_id, name, created_at) VALUES (@kb, @tenant, @kb, @at) ON CONFLICT DO NOTHING;", connection, transaction))
        {
            kb.Parameters.AddWithValue("kb", knowledgeBase);
            kb.Parameters.AddWithValue("tenant", tenant.Value);
            kb.Parameters.AddWithValue("at", at);
            await kb.ExecuteNonQueryAsync();
        }
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var row in rows)
        {
            var document = new NpgsqlBatchCommand("""
                INSERT INTO documents (tenant_id, id, kb_id, source_uri, title, content_type, size_bytes, checksum, version, created_at, updated_at)
                VALUES (@tenant, @id, @kb, @id, @title, 'text/plain', 0, '', 1, @at, @at);
                """);
            var chunk = new NpgsqlBatchCommand("""
                INSERT INTO chunks (id, tenant_id, doc_id, kb_id, version, ordinal, text, title, section, source_uri, token_count, checksum, span_start, span_end, created_at, updated_at)
                VALUES (@id || ':1:0', @tenant, @id, @kb, 1, 0, @text, @title, @section, @id, 0, '', 0, length(@text), @at, @at);
                """);
            foreach (var command in new[] { document, chunk })
            {
                command.Parameters.AddWithValue("tenant", tenant.Value);
                command.Parameters.AddWithValue("id", row.Id);
                command.Parameters.AddWithValue("kb", knowledgeBase);
                command.Parameters.AddWithValue("title", row.Title);
                command.Parameters.AddWithValue("text", row.Text);
                command.Parameters.AddWithValue("section", row.Section);
                command.Parameters.AddWithValue("at", at);
                batch.BatchCommands.Add(command);
            }
        }
        await batch.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }
}
