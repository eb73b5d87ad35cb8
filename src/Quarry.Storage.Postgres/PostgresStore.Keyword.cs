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
    /// SQLite's BM25 column weights (2.5, 1.5, 1.0) at a similar ratio. Measured on SciFact (see SciFactKeywordTests).
    /// </summary>
    internal const string RankWeights = "{0.4, 0.4, 0.6, 1.0}";

    /// <summary>ts_rank_cd normalization: 1 divides by 1 + log(length), the gentle length normalization BM25 also applies,
    /// so long chunks do not win on repetition alone.</summary>
    internal const int RankNormalization = 1;

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
            await using var command = new NpgsqlCommand(
                $"""
                SELECT c.id, c.doc_id, ts_rank_cd('{RankWeights}', c.search, q.query, {RankNormalization}) AS rank
                FROM (SELECT {query.Sql} AS query) AS q
                CROSS JOIN chunks c
                JOIN documents d ON d.tenant_id = c.tenant_id AND d.id = c.doc_id
                WHERE c.tenant_id = @tenant AND c.search @@ q.query{filters.Sql}
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
                hits.Add(new KeywordHit(new ChunkId(reader.GetString(0)), new DocumentId(reader.GetString(1)), reader.GetFloat(2)));
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
