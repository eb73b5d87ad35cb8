using Npgsql;
using Quarry.Documents;

namespace Quarry.Storage.Postgres;

/// <summary>A version's chunks and vectors in one statement: every column travels as one array parameter and
/// <c>unnest</c> turns them into rows, so a document costs one round trip whatever its chunk count.</summary>
internal sealed partial class PostgresStore
{
    private const string InsertChunksSql = """
        INSERT INTO chunks (id, tenant_id, doc_id, kb_id, version, ordinal, text, header_prefix_length, title,
                            section_json, section, source_uri, language, tags, token_count, checksum,
                            span_start, span_end, page_start, page_end, created_at, updated_at)
        SELECT u.id, @tenant, @doc, @kb, @version, u.k::integer - 1, u.text, u.header, @title,
               to_jsonb(@section_items[u.section_start + 1 : u.section_start + u.section_length]),
               array_to_string(@section_items[u.section_start + 1 : u.section_start + u.section_length], ' > '),
               @source, @language, jsonb_object(@tag_keys, @tag_values), u.tokens, u.checksum,
               u.span_start, u.span_end, u.page_start, u.page_end, @at, @at
        FROM unnest(@ids, @texts, @headers, @section_starts, @section_lengths, @tokens, @checksums,
                    @span_starts, @span_ends, @page_starts, @page_ends)
             WITH ORDINALITY AS u(id, text, header, section_start, section_length, tokens, checksum,
                                  span_start, span_end, page_start, page_end, k)
        """;

    // Vectors travel as one flat real[] (all of one dimension); the k-th embedded chunk's is the k-th slice.
    private static readonly string InsertChunksWithEmbeddingsSql = $"""
        WITH inserted AS (
        {InsertChunksSql}
            RETURNING row_id, ordinal
        )
        INSERT INTO embeddings (chunk_row_id, model, dimension, vector, created_at)
        SELECT i.row_id, @model, @dimension, @vectors[(e.k::integer - 1) * @dimension + 1 : e.k::integer * @dimension], @at
        FROM unnest(@embedded) WITH ORDINALITY AS e(ordinal, k) JOIN inserted i ON i.ordinal = e.ordinal;
        """;

    private static void AddChunks(NpgsqlBatch batch, DocumentWrite write, ReadOnlyMemory<float>?[]? embeddings, int version, DateTimeOffset now)
    {
        var chunks = write.Chunks;
        if (chunks.Count == 0)
            return;
        var sectionItems = new List<string>();
        var sectionStarts = new int[chunks.Count];
        var sectionLengths = new int[chunks.Count];
        for (var i = 0; i < chunks.Count; i++)
        {
            sectionStarts[i] = sectionItems.Count;
            sectionLengths[i] = chunks[i].Section.Count;
            sectionItems.AddRange(chunks[i].Section.Select(StoreCommands.Clean));
        }

        var embedded = embeddings is null ? [] : Enumerable.Range(0, chunks.Count).Where(i => embeddings[i] is not null).ToArray();
        var statement = batch.Statement(embedded.Length > 0 ? InsertChunksWithEmbeddingsSql : InsertChunksSql + ";")
            .Arg("tenant", write.TenantId.Value).Arg("doc", write.DocumentId.Value).Arg("kb", write.KnowledgeBaseId.Value)
            .Arg("version", version).Arg("title", write.Title).Arg("source", write.SourceUri).Text("language", write.Language)
            .Arg("tag_keys", write.Tags.Keys.Select(StoreCommands.Clean).ToArray())
            .Arg("tag_values", write.Tags.Values.Select(StoreCommands.Clean).ToArray())
            .Arg("at", now)
            .Arg("section_items", sectionItems.ToArray())
            .Arg("ids", Enumerable.Range(0, chunks.Count).Select(i => DocumentIdentity.ForChunk(write.DocumentId, version, i).Value).ToArray())
            .Arg("texts", chunks.Select(c => StoreCommands.Clean(c.Text)).ToArray())
            .Arg("headers", chunks.Select(c => c.HeaderPrefixLength).ToArray())
            .Arg("section_starts", sectionStarts)
            .Arg("section_lengths", sectionLengths)
            .Arg("tokens", chunks.Select(c => c.TokenCount).ToArray())
            .Arg("checksums", chunks.Select(c => c.Checksum).ToArray())
            .Arg("span_starts", chunks.Select(c => c.Span.Start).ToArray())
            .Arg("span_ends", chunks.Select(c => c.Span.End).ToArray())
            .Arg("page_starts", chunks.Select(c => c.PageStart).ToArray())
            .Arg("page_ends", chunks.Select(c => c.PageEnd).ToArray());
        if (embedded.Length == 0)
            return;

        var dimension = write.Embeddings!.Dimension;
        var vectors = new float[embedded.Length * dimension];
        for (var k = 0; k < embedded.Length; k++)
            embeddings![embedded[k]]!.Value.Span.CopyTo(vectors.AsSpan(k * dimension));
        statement.Arg("model", write.Embeddings.Model).Arg("dimension", dimension).Arg("embedded", embedded).Arg("vectors", vectors);
    }
}
