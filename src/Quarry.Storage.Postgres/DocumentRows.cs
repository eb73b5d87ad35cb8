using System.Text.Json;
using Npgsql;
using Quarry.Documents;
using Quarry.Embedding;

namespace Quarry.Storage.Postgres;

/// <summary>The column lists the document store selects and the records it builds from them.</summary>
internal static class DocumentRows
{
    public const string KnowledgeBaseColumns = """
        SELECT k.id, k.tenant_id, k.name, k.created_at,
               (SELECT count(*)::integer FROM documents d WHERE d.tenant_id = k.tenant_id AND d.kb_id = k.id),
               k.embedding_model, k.embedding_dimension, k.embeddings_incomplete, k.hidden
        FROM knowledge_bases k
        """;

    public const string DocumentColumns = """
        SELECT d.id, d.tenant_id, d.kb_id, d.title, d.source_uri, d.content_type, d.size_bytes, d.checksum, d.version,
               d.language, d.tags, v.chunk_count, d.created_at, d.updated_at, d.parent_id,
               (SELECT a.entries FROM access_lists a WHERE a.acl_id = d.acl_id)
        FROM documents d
        JOIN document_versions v ON v.tenant_id = d.tenant_id AND v.doc_id = d.id AND v.version = d.version
        """;

    public const string ChunkColumns = """
        SELECT c.id, c.tenant_id, c.kb_id, c.doc_id, c.version, c.ordinal, c.text, c.header_prefix_length, c.title,
               c.section_json, c.source_uri, c.language, c.tags, c.token_count, c.checksum, c.span_start, c.span_end,
               c.page_start, c.page_end, c.created_at, c.updated_at
        """;

    /// <summary>Chunk id, document, tenant, knowledge base and vector: the shape of <see cref="StoredEmbedding"/>.</summary>
    public const string EmbeddingColumns = "SELECT c.id, c.doc_id, c.tenant_id, c.kb_id, e.vector";

    public static KnowledgeBase KnowledgeBase(NpgsqlDataReader reader) => new(
        new KnowledgeBaseId(reader.GetString(0)),
        new TenantId(reader.GetString(1)),
        reader.GetString(2),
        reader.GetFieldValue<DateTimeOffset>(3),
        reader.GetInt32(4),
        reader.IsDBNull(5) ? null : new EmbeddingModel(reader.GetString(5), reader.GetInt32(6)),
        reader.GetBoolean(7),
        reader.GetBoolean(8));

    public static DocumentRecord Document(NpgsqlDataReader reader) => new()
    {
        Id = new DocumentId(reader.GetString(0)),
        TenantId = new TenantId(reader.GetString(1)),
        KnowledgeBaseId = new KnowledgeBaseId(reader.GetString(2)),
        Title = reader.GetString(3),
        SourceUri = reader.GetString(4),
        ContentType = reader.GetString(5),
        SizeBytes = reader.GetInt64(6),
        Checksum = reader.GetString(7),
        Version = reader.GetInt32(8),
        Language = reader.IsDBNull(9) ? null : reader.GetString(9),
        Tags = Tags(reader.GetString(10)),
        ChunkCount = reader.GetInt32(11),
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(12),
        UpdatedAt = reader.GetFieldValue<DateTimeOffset>(13),
        ParentId = reader.IsDBNull(14) ? null : new DocumentId(reader.GetString(14)),
        Allow = reader.IsDBNull(15) ? [] : reader.GetString(15).Split('\n'),
    };

    public static Chunk Chunk(NpgsqlDataReader reader) => new()
    {
        Id = new ChunkId(reader.GetString(0)),
        TenantId = new TenantId(reader.GetString(1)),
        KnowledgeBaseId = new KnowledgeBaseId(reader.GetString(2)),
        DocumentId = new DocumentId(reader.GetString(3)),
        Version = reader.GetInt32(4),
        Ordinal = reader.GetInt32(5),
        Text = reader.GetString(6),
        HeaderPrefixLength = reader.GetInt32(7),
        Title = reader.GetString(8),
        Section = Section(reader.GetString(9)),
        SourceUri = reader.GetString(10),
        Language = reader.IsDBNull(11) ? null : reader.GetString(11),
        Tags = Tags(reader.GetString(12)),
        TokenCount = reader.GetInt32(13),
        Checksum = reader.GetString(14),
        Span = new TextSpan(reader.GetInt32(15), reader.GetInt32(16)),
        PageStart = reader.IsDBNull(17) ? null : reader.GetInt32(17),
        PageEnd = reader.IsDBNull(18) ? null : reader.GetInt32(18),
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(19),
        UpdatedAt = reader.GetFieldValue<DateTimeOffset>(20),
    };

    public static StoredEmbedding Embedding(NpgsqlDataReader reader) => new(
        new ChunkId(reader.GetString(0)), new DocumentId(reader.GetString(1)),
        new TenantId(reader.GetString(2)), new KnowledgeBaseId(reader.GetString(3)), reader.GetFieldValue<float[]>(4));

    public static async Task<List<T>> ReadAllAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
            result.Add(read(reader));
        return result;
    }

    /// <summary>Tags are written by <c>jsonb_object(keys, values)</c>: an object of strings.</summary>
    private static IReadOnlyDictionary<string, string> Tags(string json)
    {
        if (json == "{}")
            return EmptyTags.Instance;
        using var parsed = JsonDocument.Parse(json);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in parsed.RootElement.EnumerateObject())
            tags[property.Name] = property.Value.GetString() ?? "";
        return tags.AsReadOnly();
    }

    /// <summary>The heading trail is written by <c>to_jsonb(text[])</c>: an array of strings.</summary>
    private static string[] Section(string json)
    {
        if (json == "[]")
            return [];
        using var parsed = JsonDocument.Parse(json);
        return [.. parsed.RootElement.EnumerateArray().Select(e => e.GetString() ?? "")];
    }
}
