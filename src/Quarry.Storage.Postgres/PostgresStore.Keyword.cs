using Npgsql;
using Quarry.Diagnostics;
using Quarry.Documents;
using Quarry.Indexing;

namespace Quarry.Storage.Postgres;

internal sealed partial class PostgresStore : IKeywordIndex
{
    /// <summary>
    /// ts_rank_cd weights for {D, C, B, A} = {text, -, section, title}. PostgreSQL's default {0.1, 0.2, 0.4, 1.0} makes
    /// a title word worth ten body words, which buries chunks whose body answers the question; these keep the order of
    /// SQLite's BM25 column weights (2.5, 1.5, 1.0) at a similar ratio.
    /// </summary>
    internal const string RankWeights = "{0.4, 0.4, 0.6, 1.0}";

    /// <summary>ts_rank_cd normalization of each term's score: 32 maps it to rank / (rank + 1), so repeating a word
    /// saturates as BM25's term frequency does and one rare word outweighs many repeats of a common one. Measured on
    /// SciFact with the idf weighting below: 32 gives 0.669, 33 (also dividing by 1 + log length) 0.624, 1 gives 0.540.</summary>
    internal const int RankNormalization = 32;

    private const int MaxKeywordResults = 1000;

    public async Task<IReadOnlyList<KeywordHit>> SearchAsync(KeywordSearchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Filter);
        var limit = Math.Clamp(request.Limit, 0, MaxKeywordResults);
        if (limit == 0 || TsQueryBuilder.Build(request.Query) is null)
            return [];

        using var stage = QuarryTelemetry.StartStage("store.keyword_search");
        try
        {
            await using var connection = await _database.OpenAsync(cancellationToken);
            var corrections = await SuggestCorrectionsAsync(connection, TsQueryBuilder.SearchWords(request.Query), cancellationToken);
            var query = TsQueryBuilder.Build(request.Query, corrections)!;
            if (corrections is not null)
                stage.Activity?.SetTag("quarry.keyword.corrections", corrections.Count);

            // The filter is part of the ranking query, so LIMIT applies to permitted chunks only.
            var filters = PostgresFilters.ForSearch(request.Filter);
            // ts_rank_cd alone has no notion of how rare a word is: on a many-word query, chunks full of common words
            // win (SciFact nDCG@10 0.40). So each term is ranked on its own and weighted by BM25's idf, from its
            // document frequency over the whole index (as FTS5 does) and the planner's row count: 0.67. The document
            // frequencies are GIN lookups, one per term.
            await using var command = new NpgsqlCommand(
                $"""
                WITH t AS MATERIALIZED (
                    SELECT v.q, ln(1 + (greatest(n.total, v.df) - v.df + 0.5) / (v.df + 0.5)) AS idf
                    FROM (SELECT q, (SELECT count(*) FROM chunks x WHERE x.search @@ q) AS df
                          FROM (VALUES ({string.Join("), (", query.Terms)})) AS terms(q)) AS v,
                         (SELECT CASE WHEN reltuples >= 0 THEN reltuples ELSE (SELECT count(*) FROM chunks) END AS total
                          FROM pg_class WHERE oid = 'chunks'::regclass) AS n
                )
                SELECT c.id, c.doc_id, (SELECT sum(t.idf * ts_rank_cd('{RankWeights}', c.search, t.q, {RankNormalization})) FROM t) AS rank
                FROM chunks c
                JOIN documents d ON d.tenant_id = c.tenant_id AND d.id = c.doc_id
                WHERE c.tenant_id = @tenant AND c.search @@ {query.Sql}{filters.Sql}
                ORDER BY rank DESC, c.row_id
                LIMIT @limit;
                """, connection);
            foreach (var parameter in query.Parameters)
                command.Parameters.Add(parameter);
            filters.Bind(command);
            command.Parameters.Add(new NpgsqlParameter<string>("tenant", request.Filter.Tenant.Value));
            command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));

            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var hits = new List<KeywordHit>();
            while (await reader.ReadAsync(cancellationToken))
                hits.Add(new KeywordHit(new ChunkId(reader.GetString(0)), new DocumentId(reader.GetString(1)), reader.GetDouble(2)));
            stage.Activity?.SetTag("quarry.keyword.hits", hits.Count);
            return hits;
        }
        catch (Exception e)
        {
            stage.Fail(e);
            throw;
        }
    }
}
