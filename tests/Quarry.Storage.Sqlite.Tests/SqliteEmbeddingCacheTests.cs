using Microsoft.Extensions.DependencyInjection;
using Quarry.Embedding;

namespace Quarry.Storage.Sqlite.Tests;

/// <summary>The embedding cache as a host composes it: an embedder, the SQLite store, AddQuarryEmbeddingCache.</summary>
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

    [Fact]
    public async Task Vectors_round_trip_exactly_and_are_scoped_by_model_and_dimension()
    {
        await using var host = Host();
        var cache = host.GetRequiredService<IEmbeddingCache>();
        var model = new EmbeddingModel("fake:model", 3);
        var hash = EmbeddingTextHash.Compute("text", EmbeddingKind.Document);
        float[] vector = [1.5f, -0.25f, float.Epsilon];

        await cache.PutManyAsync(model, [new(hash, vector)], Ct);

        (await cache.GetManyAsync(model, [hash, new string('0', 64)], Ct)).Should().ContainSingle()
            .Which.Value.ToArray().Should().Equal(vector);
        (await cache.GetManyAsync(model with { Id = "fake:other" }, [hash], Ct)).Should().BeEmpty();
        (await cache.GetManyAsync(model with { Dimension = 4 }, [hash], Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_vector_of_the_wrong_dimension_is_refused()
    {
        await using var host = Host();
        var cache = host.GetRequiredService<IEmbeddingCache>();

        var act = () => cache.PutManyAsync(new EmbeddingModel("fake:model", 3), [new(new string('a', 64), new float[] { 1f })], Ct);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*1 dimensions, expected 3*");
    }

    public void Dispose() => SqliteTestStore.DeleteDirectory(_directory);

    private sealed class CountingEmbedder : IEmbedder
    {
        public int Calls { get; private set; }

        public int EmbeddedTexts { get; private set; }

        public EmbeddingModel Model { get; } = new("fake:counting", 4);

        public Task<IReadOnlyList<ReadOnlyMemory<float>>> EmbedAsync(IReadOnlyList<string> texts, EmbeddingKind kind, CancellationToken cancellationToken)
        {
            Calls++;
            EmbeddedTexts += texts.Count;
            return Task.FromResult<IReadOnlyList<ReadOnlyMemory<float>>>(
                [.. texts.Select(t => (ReadOnlyMemory<float>)new float[] { t.Length, t[0], t[^1], Calls })]);
        }
    }
}
