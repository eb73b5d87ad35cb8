using Microsoft.Extensions.DependencyInjection;
using Quarry.Embedding;
using Quarry.Storage.Postgres.Tests.TestSupport;

namespace Quarry.Storage.Postgres.Tests;

/// <summary>The embedding cache as a host composes it: an embedder, the PostgreSQL store, AddQuarryEmbeddingCache.</summary>
public sealed class PostgresEmbeddingCacheTests : IAsyncLifetime
{
    private static CancellationToken Ct => CancellationToken.None;

    private readonly CountingEmbedder _inner = new();
    private string _connectionString = null!;

    public async Task InitializeAsync() => _connectionString = await PostgresServer.CreateDatabaseAsync();

    public Task DisposeAsync() => PostgresServer.DropDatabaseAsync(_connectionString);

    private ServiceProvider Host()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IEmbedder>(_inner);
        services.AddQuarryPostgresStorage(o => o.ConnectionString = _connectionString);
        services.AddQuarryEmbeddingCache();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public async Task Re_embedding_the_same_texts_from_another_replica_calls_the_model_zero_times()
    {
        string[] texts = ["The quick brown fox", "jumps over", "the lazy dog", "jumps over"];
        IReadOnlyList<ReadOnlyMemory<float>> first;
        await using (var host = Host())
            first = await host.GetRequiredService<IEmbedder>().EmbedAsync(texts, EmbeddingKind.Document, Ct);
        _inner.EmbeddedTexts.Should().Be(3, "the repeated text is embedded once");

        IReadOnlyList<ReadOnlyMemory<float>> second;
        await using (var host = Host())
            second = await host.GetRequiredService<IEmbedder>().EmbedAsync(texts, EmbeddingKind.Document, Ct);

        _inner.Calls.Should().Be(1, "every vector now comes from the database");
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
    public async Task A_put_replaces_the_vector_and_the_last_of_a_repeated_hash_wins()
    {
        await using var host = Host();
        var cache = host.GetRequiredService<IEmbeddingCache>();
        var model = new EmbeddingModel("fake:model", 2);
        var hash = new string('b', 64);

        await cache.PutManyAsync(model, [new(hash, new float[] { 1, 2 })], Ct);
        await cache.PutManyAsync(model, [new(hash, new float[] { 3, 4 }), new(hash, new float[] { 5, 6 })], Ct);

        (await cache.GetManyAsync(model, [hash, hash], Ct))[hash].ToArray().Should().Equal(5, 6);
    }

    [Fact]
    public async Task Many_hashes_are_read_in_one_call()
    {
        await using var host = Host();
        var cache = host.GetRequiredService<IEmbeddingCache>();
        var model = new EmbeddingModel("fake:model", 1);
        var entries = Enumerable.Range(0, 5_000).Select(i => KeyValuePair.Create(i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture), (ReadOnlyMemory<float>)new float[] { i })).ToList();

        await cache.PutManyAsync(model, entries, Ct);
        var found = await cache.GetManyAsync(model, entries.Select(e => e.Key).ToList(), Ct);

        found.Should().HaveCount(5_000);
        found[entries[4321].Key].ToArray().Should().Equal(4321f);
    }

    [Fact]
    public async Task A_vector_of_the_wrong_dimension_is_refused()
    {
        await using var host = Host();
        var cache = host.GetRequiredService<IEmbeddingCache>();

        var act = () => cache.PutManyAsync(new EmbeddingModel("fake:model", 3), [new(new string('a', 64), new float[] { 1f })], Ct);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*1 dimensions, expected 3*");
    }

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
