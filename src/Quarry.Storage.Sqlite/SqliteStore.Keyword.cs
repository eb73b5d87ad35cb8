using System.Text;
using Quarry.Diagnostics;
using Quarry.Documents;
using Quarry.Indexing;
using Quarry.Retrieval;

namespace Quarry.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    /// <summary>BM25 column weights for (title, section, text): a match in the title or heading trail says more
    /// about what a chunk is about than one in its body.</summary>
    private const string Bm25 = "bm25(chunks_fts, 2.5, 1.5, 1.0)";

    private const int MaxKeywordResults = 1000;

    /// <summary>The same weights as <see cref="Bm25"/> as FTS5's own rank function, so FTS5 sorts and cuts the
    /// matches itself (its ORDER BY rank path) before any row of another table is read.</summary>
    private const string RankFunction = "bm25(2.5, 1.5, 1.0)";

    public async Task<IReadOnlyList<KeywordHit>> SearchAsync(KeywordSearchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Filter);
        var limit = Math.Clamp(request.Limit, 0, MaxKeywordResults);
        var plain = limit == 0 ? null : Fts5QueryBuilder.Build(request.Query);
        if (plain is null)
            return [];

        using var stage = QuarryTelemetry.StartStage("store.keyword_search");
        try
        {
            // One kept-open connection for the probes, the ranking and the filter, with their statements prepared.
            // No transaction around them: ranking and filter are one statement (one snapshot), and the probes only
            // decide whether a correction joins the query, as they would have a moment earlier or later.
            await using var session = await _database.ReadSessionAsync(cancellationToken);
            var corrections = await SuggestCorrectionsAsync(session, Fts5QueryBuilder.SearchWords(request.Query), cancellationToken);
            var match = corrections is null ? plain : Fts5QueryBuilder.Build(request.Query, corrections)!;
            if (corrections is not null)
                stage.Activity?.SetTag("quarry.keyword.corrections", corrections.Count);

            var filter = FilterClause(request.Filter);
            var hits = await SearchWindowAsync(session, match, filter, limit, cancellationToken)
                ?? await SearchAllAsync(session, match, filter, limit, cancellationToken);
            stage.Activity?.SetTag("quarry.keyword.hits", hits.Count);
            return hits;
        }
        catch (Exception e)
        {
            stage.Fail(e);
            throw;
        }
    }

    /// <summary>The filter as a WHERE fragment over chunk <c>c</c> and document <c>d</c>, values as parameters.
    /// The document part is empty when only the chunk's own columns are asked about: every
    /// chunk has its document (a foreign key that deletes them with it), so the join would only cost a lookup.</summary>
    private static KeywordFilter FilterClause(SearchFilter filter)
    {
        var where = new StringBuilder(" AND c.tenant_id = $tenant");
        var parameters = new List<(string Name, object? Value)> { ("$tenant", filter.Tenant.Value) };
        // The common case, one knowledge base, as a plain comparison rather than a JSON list.
        if (filter.KnowledgeBases.Count == 1)
        {
            where.Append(" AND c.kb_id = $kb");
            parameters.Add(("$kb", filter.KnowledgeBases[0].Value));
        }
        else
        {
            SqlFilters.AppendIn(where, parameters, "c.kb_id", "$kbs", filter.KnowledgeBases.Select(k => k.Value));
        }
        SqlFilters.AppendIn(where, parameters, "c.doc_id", "$docs", filter.Documents.Select(d => d.Value));
        var chunkOnly = where.Length;
        SqlFilters.AppendSourcePrefix(where, parameters, "d.source_uri", filter.SourcePrefix);
        SqlFilters.AppendTagsAll(where, parameters, "d", filter.TagsAll);
        SqlFilters.AppendTagsAny(where, parameters, "d", filter.TagsAny);
        SqlFilters.AppendAccess(where, parameters, "d", filter.Access);
        if (filter.UpdatedFrom is { } from)
        {
            where.Append(" AND d.updated_at >= $updated_from");
            parameters.Add(("$updated_from", UnixTime.ToMs(from)));
        }
        if (filter.UpdatedTo is { } to)
        {
            where.Append(" AND d.updated_at <= $updated_to");
            parameters.Add(("$updated_to", UnixTime.ToMs(to)));
        }
        var text = where.ToString();
        return new KeywordFilter(text[..chunkOnly], text[chunkOnly..], parameters);
    }

    /// <summary>A filter as WHERE fragments (each empty or starting with " AND") over chunk <c>c</c> and document
    /// <c>d</c>, and their parameters.</summary>
    private sealed record KeywordFilter(string ChunkWhere, string DocumentWhere, List<(string Name, object? Value)> Parameters)
    {
        public bool NeedsDocument => DocumentWhere.Length > 0;

        public string Where => ChunkWhere + DocumentWhere;

        /// <summary>The join to the document when the filter reads it, else nothing.</summary>
        public string DocumentJoin => NeedsDocument ? " JOIN documents d ON d.tenant_id = c.tenant_id AND d.id = c.doc_id" : "";
    }

    /// <summary>Every match joined to its chunk and document, filtered, ranked: exact whatever the filter, but it
    /// reads two rows per match. Used when the filter keeps too few of the best matches for the window to answer.</summary>
    private static async Task<List<KeywordHit>> SearchAllAsync(ReadSession session, string match, KeywordFilter filter,
        int limit, CancellationToken cancellationToken)
    {
        // The filter is part of the ranking query, so LIMIT applies to permitted chunks only.
        await using var command = session.Command(
            "SELECT c.id, c.doc_id, " + Bm25 + " AS rank FROM chunks_fts" +
            " JOIN chunks c ON c.row_id = chunks_fts.rowid" + filter.DocumentJoin +
            " WHERE chunks_fts MATCH $match" + filter.Where + " ORDER BY rank, c.row_id LIMIT $limit;");
        SqlFilters.Bind(command, filter.Parameters);
        command.With("$match", match).With("$limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var hits = new List<KeywordHit>();
        while (await reader.ReadAsync(cancellationToken))
        {
            // bm25() is lower-is-better; the interface promises higher-is-better.
            hits.Add(new KeywordHit(new ChunkId(reader.GetString(0)), new DocumentId(reader.GetString(1)), -reader.GetDouble(2)));
        }
        return hits;
    }
}
