using Quarry.Storage.Compliance;

namespace Quarry.Storage.Sqlite.Tests;

/// <summary>The embedding cache of a host that reopens the same SQLite directory. The cache's own contract is checked
/// in <see cref="SqliteEmbeddingCacheComplianceTests"/>.</summary>
public sealed class SqliteEmbeddingCacheTests : IDisposable
{
    private readonly string _directory = SqliteTestStore.NewDirectory();

    [Fact]
    public Task Re_embedding_the_same_texts_after_a_reopen_calls_the_model_zero_times() =>
        EmbeddingCacheReuse.SecondHostCallsTheModelZeroTimesAsync(
            services => services.AddQuarrySqliteStorage(o => o.DataDirectory = _directory),
            "every vector now comes from the database file");

    public void Dispose() => SqliteTestStore.DeleteDirectory(_directory);
}
