using Microsoft.Extensions.DependencyInjection;
using Quarry.Embedding;
using Quarry.Storage.Compliance;

namespace Quarry.Storage.Sqlite.Tests;

/// <summary>The embedding cache as a host composes it: an embedder, the SQLite store, AddQuarryEmbeddingCache. The
/// cache's own contract is checked in <see cref="SqliteEmbeddingCacheComplianceTests"/>.</summary>
public sealed class SqliteEmbeddingCacheTests : IDisposable
{
    private static CancellationToken Ct => CancellationToken.None;

    private readonly string _directory = SqliteTestStore.NewDirectory();
    private readonly CountingEmbedder _inner = new();

    private ServiceProvider Host()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IEmbedder>(_inner);
        services.AddQuarrySqliteStorage(o => o.DataDirectory = _directory);
        services.AddQuarryEmbeddingCache();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public async Task Re_embedding_the_same_texts_after_a_reopen_calls_the_model_zero_times()
    {
        string[] texts = ["The quick brown fox", "jumps over", "the lazy dog", "jumps over"];
        IReadOnlyList<ReadOnlyMemory<float>> first;
        await using (var host = Host())
            first = await host.GetRequiredService<IEmbedder>().EmbedAsync(texts, EmbeddingKind.Document, Ct);
        _inner.EmbeddedTexts.Should().Be(3, "the repeated text is embedded once");

        IReadOnlyList<ReadOnlyMemory<float>> second;
        await using (var host = Host())
            second = await host.GetRequiredService<IEmbedder>().EmbedAsync(texts, EmbeddingKind.Document, Ct);

        _inner.Calls.Should().Be(1, "every vector now comes from the database file");
        second.Select(v => v.ToArray()).Should().BeEquivalentTo(first.Select(v => v.ToArray()), o => o.WithStrictOrdering());
    }

    public void Dispose() => SqliteTestStore.DeleteDirectory(_directory);
}
