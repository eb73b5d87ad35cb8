using Microsoft.Data.Sqlite;
using Quarry.Documents;
using Quarry.Indexing;

namespace Quarry.Storage.Sqlite;

/// <summary>
/// Top-k early termination for keyword search. Joining every match to its chunk and document (thousands of rows for
/// a common word) cost several times FTS5's own ranking; instead FTS5 ranks and cuts the matches alone, and only the
/// best few are checked against the filter (tenant, knowledge bases, tags, access lists) in one statement. The answer
/// is the exact one: when the filter leaves too few of the window's rows, the window grows, then gives way to the
/// full join.
/// </summary>
internal sealed partial class SqliteStore
{
    private const int MinWindow = 64;
    private const int WindowAttempts = 2;
    /// <summary>Past this many rows a window costs about what the full join does.</summary>
    private const int MaxWindow = 20_000;

    /// <summary>The best <paramref name="limit"/> permitted matches in (rank, row) order, or null when the
    /// filter rejected so many matches that only the full join can tell.</summary>
    private static async Task<List<KeywordHit>?> SearchWindowAsync(ReadSession session, string match, KeywordFilter filter,
        int limit, CancellationToken cancellationToken)
    {
        // Room for ties at the edge and a filter that drops a few: the filter statement's cost follows the window.
        var window = Math.Max(limit + MinWindow / 2, MinWindow);
        for (var attempt = 0; attempt < WindowAttempts && window <= MaxWindow; attempt++)
        {
            var ranked = await RankAsync(session, match, window, cancellationToken);
            if (ranked.Count == 0)
                return [];
            var permitted = await PermittedAsync(session, ranked, filter, cancellationToken);
            // A window that came back short holds every match. A full one is exact only strictly above its last
            // rank: rows tied with that rank may lie outside it.
            var exhausted = ranked.Count < window;
            var boundary = ranked[^1].Rank;
            var hits = new List<KeywordHit>(Math.Min(limit, permitted.Count));
            foreach (var (rowId, rank) in ranked)
            {
                if (!exhausted && rank >= boundary)
                    break;
                if (!permitted.TryGetValue(rowId, out var ids))
                    continue;
                // bm25 is lower-is-better; the interface promises higher-is-better.
                hits.Add(new KeywordHit(ids.Chunk, ids.Document, -rank));
                if (hits.Count == limit)
                    return hits;
            }
            if (exhausted)
                return hits;
            // Grow by the share of rows the filter kept, with room to spare.
            var kept = Math.Max(permitted.Count, 1) / (double)ranked.Count;
            window = (int)Math.Min(int.MaxValue, Math.Ceiling(limit / kept * 2) + MinWindow);
        }
        return null;
    }

    private static async Task<List<(long RowId, double Rank)>> RankAsync(ReadSession session, string match, int window, CancellationToken cancellationToken)
    {
        await using var command = session.Command(
            "SELECT rowid, rank FROM chunks_fts WHERE chunks_fts MATCH $match AND rank MATCH '" + RankFunction + "'" +
            " ORDER BY rank LIMIT $window;").With("$match", match).With("$window", window);
        var ranked = new List<(long RowId, double Rank)>(Math.Min(window, 1024));
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                ranked.Add((reader.GetInt64(0), reader.GetDouble(1)));
        }
        // FTS5 leaves the order of equal ranks open; the full join breaks ties by row, so does this.
        ranked.Sort(static (a, b) => a.Rank != b.Rank ? a.Rank.CompareTo(b.Rank) : a.RowId.CompareTo(b.RowId));
        return ranked;
    }

    private static async Task<Dictionary<long, (ChunkId Chunk, DocumentId Document)>> PermittedAsync(ReadSession session,
        List<(long RowId, double Rank)> ranked, KeywordFilter filter, CancellationToken cancellationToken)
    {
        // Driven from the row list (CROSS JOIN fixes the loop order): one primary-key lookup per row, and one into
        // documents only when the filter reads a document's columns.
        await using var command = session.Command(
            "SELECT c.row_id, c.id, c.doc_id FROM json_each($rows) AS j CROSS JOIN chunks c ON c.row_id = j.value" +
            filter.DocumentJoin + " WHERE 1" + filter.Where + ";");
        SqlFilters.Bind(command, filter.Parameters);
        command.With("$rows", "[" + string.Join(',', ranked.Select(r => r.RowId)) + "]");
        var permitted = new Dictionary<long, (ChunkId, DocumentId)>(ranked.Count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            permitted[reader.GetInt64(0)] = (new ChunkId(reader.GetString(1)), new DocumentId(reader.GetString(2)));
        return permitted;
    }
}
