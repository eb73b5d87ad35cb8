using Npgsql;
using Quarry.Indexing;

namespace Quarry.Storage.Postgres;

internal sealed partial class PostgresStore
{
    /// <summary>How stale the vocabulary may get before it is rebuilt: it only feeds suggestions, and other replicas'
    /// writes cannot be observed locally, so age is the only trigger.</summary>
    private static readonly TimeSpan VocabularyRefresh = TimeSpan.FromMinutes(5);

    /// <summary>The corrector and when it was built, swapped as one reference. No lock: two queries that both find
    /// it stale build it twice at worst, which costs less than making every replica's store disposable for a gate.</summary>
    private volatile CachedCorrector? _corrector;

    private sealed record CachedCorrector(SpellingCorrector Corrector, DateTimeOffset BuiltAt);

    /// <summary>
    /// For each word of the query that matches no indexed lexeme, the closest lexeme of the vocabulary. The words are
    /// probed against the whole index (GIN lookups); the suggestions change the query, never the filter, so results stay
    /// inside the caller's tenant and knowledge bases.
    /// </summary>
    private async Task<Dictionary<string, string>?> SuggestCorrectionsAsync(NpgsqlConnection connection, IReadOnlyList<string> words, CancellationToken cancellationToken)
    {
        Dictionary<string, string>? corrections = null;
        SpellingCorrector? corrector = null;
        foreach (var word in words)
        {
            if (word.Length < 4 || !word.All(char.IsLetter)) continue;
            await using (var probe = new NpgsqlCommand(
                $"SELECT 1 FROM chunks WHERE search @@ phraseto_tsquery('{TsQueryBuilder.Configuration}', quarry_fold(@word)) LIMIT 1;", connection))
            {
                probe.Parameters.Add(new NpgsqlParameter<string>("word", word));
                if (await probe.ExecuteScalarAsync(cancellationToken) is not null) continue;
            }
            corrector ??= await GetCorrectorAsync(connection, cancellationToken);
            if (corrector.Suggest(word) is { } suggestion)
                (corrections ??= new Dictionary<string, string>(StringComparer.Ordinal))[word] = suggestion;
        }
        return corrections;
    }

    private async Task<SpellingCorrector> GetCorrectorAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (_corrector is { } cached && _time.GetUtcNow() - cached.BuiltAt < VocabularyRefresh)
            return cached.Corrector;

        // ts_stat reads every tsvector: built only when a query has a word the index does not know, then cached.
        var vocabulary = new List<(string, int)>();
        await using (var read = new NpgsqlCommand("SELECT word, ndoc FROM ts_stat('SELECT search FROM chunks') WHERE length(word) BETWEEN 3 AND 32;", connection))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                vocabulary.Add((reader.GetString(0), reader.GetInt32(1)));
        }
        var corrector = new SpellingCorrector(vocabulary);
        _corrector = new CachedCorrector(corrector, _time.GetUtcNow());
        return corrector;
    }
}
