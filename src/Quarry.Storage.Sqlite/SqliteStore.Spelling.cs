using Microsoft.Data.Sqlite;
using Quarry.Indexing;

namespace Quarry.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    /// <summary>How stale the vocabulary may get after writes before it is rebuilt: it only feeds suggestions.</summary>
    private static readonly TimeSpan VocabularyRefresh = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _vocabularyGate = new(1, 1);
    private SpellingCorrector? _corrector;
    private long _correctorGeneration = -1;
    private DateTimeOffset _correctorBuiltAt;

    /// <summary>
    /// For each word of the query that matches no indexed term, the closest term of the vocabulary. The words are
    /// probed against the whole index (cheap B-tree lookups); the suggestions change the query, never the filter, so
    /// results stay inside the caller's tenant and knowledge bases.
    /// </summary>
    private async Task<Dictionary<string, string>?> SuggestCorrectionsAsync(SqliteConnection connection, IReadOnlyList<string> words, CancellationToken cancellationToken)
    {
        Dictionary<string, string>? corrections = null;
        SpellingCorrector? corrector = null;
        // One command for every probe: it keeps its prepared statement, so a probe costs the lookup, not a parse.
        await using var probe = connection.Command("SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH $term LIMIT 1;").With("$term", "");
        foreach (var word in words)
        {
            if (word.Length < 4 || !word.All(char.IsLetter)) continue;
            probe.Parameters[0].Value = "\"" + word + "\"";
            if (await probe.ExecuteScalarAsync(cancellationToken) is not null) continue;
            corrector ??= await GetCorrectorAsync(connection, cancellationToken);
            if (corrector.Suggest(word) is { } suggestion)
                (corrections ??= new Dictionary<string, string>(StringComparer.Ordinal))[word] = suggestion;
        }
        return corrections;
    }

    private async Task<SpellingCorrector> GetCorrectorAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var generation = _database.Generation;
        var current = _corrector;
        if (current is not null && (_correctorGeneration == generation || _time.GetUtcNow() - _correctorBuiltAt < VocabularyRefresh))
            return current;

        await _vocabularyGate.WaitAsync(cancellationToken);
        try
        {
            if (_corrector is not null && _correctorGeneration == generation)
                return _corrector;
            // fts5vocab reads the index's own term list; a temp table needs no migration and no write lock.
            await using (var create = connection.Command(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_fts_vocab USING fts5vocab(main, chunks_fts, 'row');"))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            var vocabulary = new List<(string, int)>();
            await using (var read = connection.Command("SELECT term, doc FROM temp.chunks_fts_vocab;"))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                    vocabulary.Add((reader.GetString(0), reader.GetInt32(1)));
            }
            _corrector = new SpellingCorrector(vocabulary);
            _correctorGeneration = generation;
            _correctorBuiltAt = _time.GetUtcNow();
            return _corrector;
        }
        finally
        {
            _vocabularyGate.Release();
        }
    }
}
