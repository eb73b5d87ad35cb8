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
    private const int FirstWindowSlack = 16;
    private const int MinWindow = 64;
    private const int WindowAttempts = 2;
    /// <summary>Past this many rows a window costs about what the full join does.</summary>
    private const int MaxWindow = 20_000;

    /// <summary>The best <paramref name="limit"/> permitted matches in (rank, row) order, or null when the
    /// filter rejected so many matches that only the full join can tell.</summary>
    private static async Task<List<KeywordHit>?> SearchWindowAsync(ReadSession session, string match, KeywordFilter filter,
        int limit, CancellationToken cancellationToken)
    {
        // FTS5's cost follows the rows it hands out (a window of 64 for a top 10 cost a fifth more than FTS5 alone),
        // so the first window leaves room only for ties at the edge and a filter that drops a few; a filter that
        // drops more makes the second window grow by the share it kept.
        var window = limit + FirstWindowSlack;
        for (var attempt = 0; attempt < WindowAttempts && window <= MaxWindow; attempt++)
        {
            var ranked = await RankAsync(session, match, filter, window, cancellationToken);
            if (ranked.Count == 0)
                return [];
            // A window that came back short holds every match. A full one is exact only strictly above its last
            // rank: rows tied with that rank may lie outside it.
            var exhausted = ranked.Count < window;
            var boundary = ranked[^1].Rank;
            var hits = new List<KeywordHit>(Math.Min(limit, ranked.Count));
            var permitted = 0;
            foreach (var row in ranked)
            {
                if (row.Chunk is null)
                    continue;
                permitted++;
                if ((!exhausted && row.Rank >= boundary) || hits.Count == limit)
                    continue;
                // bm25 is lower-is-better; the interface promises higher-is-better.
                hits.Add(new KeywordHit(new ChunkId(row.Chunk), new DocumentId(row.Document!), -row.Rank));
            }
            if (exhausted || hits.Count == limit)
                return hits;
            // Grow by the share of rows the filter kept, with room to spare.
            var kept = Math.Max(permitted, 1) / (double)ranked.Count;
            window = (int)Math.Min(int.MaxValue, Math.Ceiling(limit / kept * 2) + MinWindow);
        }
        return null;
    }

    /// <summary>A ranked row of the window; <see cref="Chunk"/> is null when the filter does not permit it.</summary>
    private readonly record struct RankedRow(long RowId, double Rank, string? Chunk, string? Document);

    /// <summary>
    /// The window's rows in (rank, row) order, each checked against the filter in the same statement: FTS5 ranks and
    /// cuts in the subquery, then one primary-key lookup per row (LEFT JOIN: rejected rows still count for the
    /// window's edge), and one into documents only when the filter reads a document's columns.
    /// </summary>
    private static async Task<List<RankedRow>> RankAsync(ReadSession session, string match, KeywordFilter filter, int window,
        CancellationToken cancellationToken)
    {
        var documentCheck = filter.NeedsDocument
            ? " AND EXISTS (SELECT 1 FROM documents d WHERE d.tenant_id = c.tenant_id AND d.id = c.doc_id" + filter.DocumentWhere + ")"
            : "";
        await using var command = session.Command(
            "SELECT f.rowid, f.rank, c.id, c.doc_id FROM (SELECT rowid, rank FROM chunks_fts WHERE chunks_fts MATCH $match" +
            " AND rank MATCH '" + RankFunction + "' ORDER BY rank LIMIT $window) AS f" +
            " LEFT JOIN chunks c ON c.row_id = f.rowid" + filter.ChunkWhere + documentCheck + ";");
        SqlFilters.Bind(command, filter.Parameters);
        command.With("$match", match).With("$window", window);
        var ranked = new List<RankedRow>(Math.Min(window, 1024));
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                ranked.Add(reader.IsDBNull(2)
                    ? new RankedRow(reader.GetInt64(0), reader.GetDouble(1), null, null)
                    : new RankedRow(reader.GetInt64(0), reader.GetDouble(1), reader.GetString(2), reader.GetString(3)));
            }
        }
        // FTS5 leaves the order of equal ranks open; the full join breaks ties by row, so does this.
        ranked.Sort(static (a, b) => a.Rank != b.Rank ? a.Rank.CompareTo(b.Rank) : a.RowId.CompareTo(b.RowId));
        return ranked;
    }
}
