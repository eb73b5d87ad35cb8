using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;
using Quarry.Diagnostics;
using Quarry.Documents;
using Quarry.Indexing;
using Quarry.Retrieval;

namespace Quarry.Storage.Postgres;

/// <summary>
/// Vector search in PostgreSQL with pgvector, over the <c>real[]</c> vectors of the <c>embeddings</c> table: one query
/// joins chunks and documents so that the tenant and every filter are applied inside the database, and only vectors of
/// the request's model and dimension are compared. Small candidate sets (the tenant's or knowledge bases' chunk count
/// below <see cref="PostgresStorageOptions.ExactSearchBelow"/>) are searched exactly; larger ones through the model's
/// HNSW index with iterative scans, so a selective filter still returns the requested number of results. Without
/// pgvector every search goes to <paramref name="fallback"/>, the in-process index fed by the change feed.
/// </summary>
internal sealed class PostgresVectorIndex(PostgresDatabase database, PgvectorIndexes indexes, Lazy<IVectorIndex?> fallback, ILogger<PostgresVectorIndex> logger)
    : IVectorIndex
{
    /// <summary>iterative_scan appeared in pgvector 0.8; older versions reject the setting.</summary>
    private static readonly Version IterativeScanVersion = new(0, 8);

    /// <summary>-1 until known, then 0 or 1.</summary>
    private int _iterativeScan = -1;

    public Task<IReadOnlyList<VectorHit>> SearchAsync(VectorSearchRequest request, CancellationToken cancellationToken) =>
        SearchAsync(request, VectorSearchMode.Auto, cancellationToken);

    /// <param name="mode">Auto in production; tests and benchmarks force one method to compare them.</param>
    internal async Task<IReadOnlyList<VectorHit>> SearchAsync(VectorSearchRequest request, VectorSearchMode mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Filter);
        ArgumentException.ThrowIfNullOrEmpty(request.Model);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Limit);
        if (request.Query.Length == 0)
            throw new ArgumentException("The query vector is empty.", nameof(request));
        await database.EnsureReadyAsync(cancellationToken);
        if (!database.HasPgvector)
        {
            return fallback.Value is { } inProcess
                ? await inProcess.SearchAsync(request, cancellationToken)
                : throw new InvalidOperationException("pgvector is not available and no in-process vector index is registered (AddQuarryVectorIndex).");
        }

        using var stage = QuarryTelemetry.StartStage("store.vector_search");
        // Cosine distance to a zero vector is undefined (NaN); the in-process index returns nothing for it too.
        if (request.Limit == 0 || IsZero(request.Query.Span))
            return [];
        try
        {
            var indexed = await indexes.EnsureAsync(request.Model, request.Query.Length, cancellationToken);
            await using var connection = await database.OpenAsync(cancellationToken);
            var exact = !indexed || mode switch
            {
                VectorSearchMode.Exact => true,
                VectorSearchMode.Hnsw => false,
                _ => await CountCandidatesAsync(connection, request.Filter, cancellationToken) < database.Options.ExactSearchBelow,
            };
            var hits = await QueryAsync(connection, request, exact, mode, cancellationToken);
            var refined = false;
            if (!exact && hits.Count < request.Limit && mode == VectorSearchMode.Auto)
            {
                // The HNSW scan gave up before finding enough rows that pass the filter (hnsw.max_scan_tuples): the exact
                // scan decides whether there really are fewer.
                hits = await QueryAsync(connection, request, exact: true, mode, cancellationToken);
                refined = true;
            }
            stage.Activity?.SetTag("quarry.vector.method", exact ? "exact" : refined ? "hnsw+exact" : "hnsw");
            stage.Activity?.SetTag("quarry.vector.hits", hits.Count);
            return hits;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            stage.Fail(e);
            throw;
        }
    }

    /// <summary>Candidate chunks by the cheap, indexed part of the filter (tenant, knowledge bases, documents), counted no
    /// further than the threshold.</summary>
    private async Task<long> CountCandidatesAsync(NpgsqlConnection connection, SearchFilter filter, CancellationToken cancellationToken)
    {
        var threshold = database.Options.ExactSearchBelow;
        if (threshold == 0)
            return 0;
        var scope = new PostgresFilters();
        scope.In("c.kb_id", "f_kbs", filter.KnowledgeBases.Select(k => k.Value));
        scope.In("c.doc_id", "f_docs", filter.Documents.Select(d => d.Value));
        await using var command = new NpgsqlCommand(
            $"SELECT count(*) FROM (SELECT 1 FROM chunks c WHERE c.tenant_id = @tenant{scope.Sql} LIMIT @threshold) s;", connection);
        command.Parameters.Add(new NpgsqlParameter<string>("tenant", filter.Tenant.Value));
        command.Parameters.Add(new NpgsqlParameter<long>("threshold", threshold));
        scope.Bind(command);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task<List<VectorHit>> QueryAsync(NpgsqlConnection connection, VectorSearchRequest request, bool exact, VectorSearchMode mode, CancellationToken cancellationToken)
    {
        // The dimension is an integer typmod (not a parameter: the index expression must match it textually).
        var type = $"vector({request.Query.Length.ToString(CultureInfo.InvariantCulture)})";
        var distance = $"e.vector::{type} <=> @query::real[]::{type}";
        var filters = PostgresFilters.ForSearch(request.Filter);
        // "+ 0" keeps the planner from serving the ORDER BY with the HNSW index: the exact search scores every candidate.
        var order = exact ? $"({distance}) + 0" : distance;
        var sql =
            $"SELECT c.id, c.doc_id, {distance} AS distance " +
            "FROM embeddings e JOIN chunks c ON c.row_id = e.chunk_row_id " +
            "JOIN documents d ON d.tenant_id = c.tenant_id AND d.id = c.doc_id " +
            $"WHERE c.tenant_id = @tenant AND e.model = @model AND e.dimension = @dimension{filters.Sql} " +
            $"ORDER BY {order} LIMIT @limit;";

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!exact)
            await ConfigureHnswAsync(connection, transaction, request.Limit, force: mode == VectorSearchMode.Hnsw, cancellationToken);
        var hits = new List<VectorHit>(request.Limit);
        await using (var command = new NpgsqlCommand(sql, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<float[]>("query", request.Query.ToArray()));
            command.Parameters.Add(new NpgsqlParameter<string>("tenant", request.Filter.Tenant.Value));
            command.Parameters.Add(new NpgsqlParameter<string>("model", request.Model));
            command.Parameters.Add(new NpgsqlParameter<int>("dimension", request.Query.Length));
            command.Parameters.Add(new NpgsqlParameter<int>("limit", request.Limit));
            filters.Bind(command);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                hits.Add(new VectorHit(new ChunkId(reader.GetString(0)), new DocumentId(reader.GetString(1)), 1 - reader.GetDouble(2)));
        }
        await transaction.CommitAsync(cancellationToken);
        // relaxed_order may return rows slightly out of order; ties by chunk id keep results stable.
        hits.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : string.CompareOrdinal(a.ChunkId.Value, b.ChunkId.Value));
        return hits;
    }

    /// <param name="force">Take the HNSW index even where the planner estimates a scan and sort to be cheaper (small
    /// tables): only when a caller asked for HNSW explicitly. In production the planner keeps that choice, which is
    /// right for a filter selective enough to scan.</param>
    private async Task ConfigureHnswAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int limit, bool force, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _iterativeScan) < 0)
            Volatile.Write(ref _iterativeScan, await SupportsIterativeScanAsync(connection, transaction, cancellationToken) ? 1 : 0);
        var iterative = _iterativeScan == 1;
        var sql = "SELECT set_config('hnsw.ef_search', @ef, true)" +
                  (iterative ? ", set_config('hnsw.iterative_scan', 'relaxed_order', true)" : "") +
                  (force ? ", set_config('enable_seqscan', 'off', true), set_config('enable_sort', 'off', true);" : ";");
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string>("ef",
            Math.Max(database.Options.HnswEfSearch, limit).ToString(CultureInfo.InvariantCulture)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<bool> SupportsIterativeScanAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT extversion FROM pg_extension WHERE extname = 'vector';", connection, transaction);
        var text = await command.ExecuteScalarAsync(cancellationToken) as string;
        var supported = Version.TryParse(text, out var version) && version >= IterativeScanVersion;
        if (!supported)
            Log.PgvectorWithoutIterativeScan(logger, database.Name, text ?? "?");
        return supported;
    }

    private static bool IsZero(ReadOnlySpan<float> vector)
    {
        foreach (var x in vector)
        {
            if (x != 0)
                return false;
        }
        return true;
    }
}

internal enum VectorSearchMode
{
    /// <summary>Exact below <see cref="PostgresStorageOptions.ExactSearchBelow"/> candidates, else HNSW.</summary>
    Auto,
    Exact,
    /// <summary>Through the HNSW index whatever the planner's estimates, without the exact re-run when too few rows pass
    /// the filter.</summary>
    Hnsw,
}
