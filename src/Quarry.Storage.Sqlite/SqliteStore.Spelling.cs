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

    /// <summary>Words remembered per session before the memo starts over.</summary>
    private const int MaxKnownWords = 50_000;

    /// <summary>
    /// For each word of the query that matches no indexed term, the closest term of the vocabulary. The words are
    /// probed against the whole index (cheap B-tree lookups); the suggestions change the query, never the filter, so
    /// results stay inside the caller's tenant and knowledge bases. A probe's answer depends only on the file's
    /// content, so each session remembers it until <c>PRAGMA data_version</c> says another connection committed:
    /// most words of a query were asked about before, and then no probe runs at all.
    /// </summary>
    private async Task<Dictionary<string, string>?> SuggestCorrectionsAsync(ReadSession session, IReadOnlyList<string> words, CancellationToken cancellationToken)
    {
        Dictionary<string, string>? corrections = null;
        SpellingCorrector? corrector = null;
        var memoChecked = false;
        foreach (var word in words)
        {
            if (word.Length < 4 || !word.All(char.IsLetter)) continue;
            if (!memoChecked)
            {
                await CheckKnownWordsAsync(session, cancellationToken);
                memoChecked = true;
            }
            if (!session.KnownWords.TryGetValue(word, out var known))
            {
                known = await ProbeAsync(session, word, cancellationToken);
                if (session.KnownWords.Count >= MaxKnownWords) session.KnownWords.Clear();
                session.KnownWords[word] = known;
            }
            if (known) continue;
            corrector ??= await GetCorrectorAsync(session.Connection, cancellationToken);
            if (corrector.Suggest(word) is { } suggestion)
                (corrections ??= new Dictionary<string, string>(StringComparer.Ordinal))[word] = suggestion;
        }
        return corrections;
    }

    /// <summary>Forgets the session's probe answers when the file changed since they were given. A commit landing
    /// between this check and a probe leaves an answer newer than its label, never older, and the next search sees
    /// the new version and starts over.</summary>
    private static async Task CheckKnownWordsAsync(ReadSession session, CancellationToken cancellationToken)
    {
        await using var command = session.Command("PRAGMA data_version;");
        var version = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        if (version == session.DataVersion) return;
        session.KnownWords.Clear();
        session.DataVersion = version;
    }

    private static async Task<bool> ProbeAsync(ReadSession session, string word, CancellationToken cancellationToken)
    {
        await using var probe = session.Command("SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH $term LIMIT 1;")
            .With("$term", "\"" + word + "\"");
        return await probe.ExecuteScalarAsync(cancellationToken) is not null;
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
