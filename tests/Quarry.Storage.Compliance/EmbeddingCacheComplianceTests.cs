using System.Globalization;
using Quarry.Embedding;

namespace Quarry.Storage.Compliance;

/// <summary>What every durable <see cref="IEmbeddingCache"/> must do: give back exactly the vectors put, keyed by text
/// hash within one model id and dimension.</summary>
public abstract class EmbeddingCacheComplianceTests<TStore> : StoreComplianceBase<TStore>
    where TStore : class, IEmbeddingCache
{
    [Fact]
    public async Task Vectors_round_trip_exactly_and_are_scoped_by_model_and_dimension()
    {
        var model = new EmbeddingModel("fake:model", 3);
        var hash = EmbeddingTextHash.Compute("text", EmbeddingKind.Document);
        float[] vector = [1.5f, -0.25f, float.Epsilon];

        await Store.PutManyAsync(model, [new(hash, vector)], Ct);

        (await Store.GetManyAsync(model, [hash, new string('0', 64)], Ct)).Should().ContainSingle()
            .Which.Value.ToArray().Should().Equal(vector);
        (await Store.GetManyAsync(model with { Id = "fake:other" }, [hash], Ct)).Should().BeEmpty();
        (await Store.GetManyAsync(model with { Dimension = 4 }, [hash], Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_put_replaces_the_vector_and_the_last_of_a_repeated_hash_wins()
    {
        var model = new EmbeddingModel("fake:model", 2);
        var hash = new string('b', 64);

        await Store.PutManyAsync(model, [new(hash, new float[] { 1, 2 })], Ct);
        await Store.PutManyAsync(model, [new(hash, new float[] { 3, 4 }), new(hash, new float[] { 5, 6 })], Ct);

        (await Store.GetManyAsync(model, [hash, hash], Ct))[hash].ToArray().Should().Equal(5, 6);
    }

    [Fact]
    public async Task Eviction_drops_rows_past_the_age_bound_then_the_oldest_past_the_size_bound()
    {
        var model = new EmbeddingModel("fake:model", 2);
        var hashes = Enumerable.Range(0, 6).Select(i => new string((char)('a' + i), 64)).ToList();
        foreach (var hash in hashes)
        {
            await Store.PutManyAsync(model, [new(hash, new float[] { 1, 2 })], Ct);
            Clock.Advance(TimeSpan.FromHours(1));
        }
        var eviction = (IEmbeddingCacheEviction)Store;

        (await eviction.EvictEmbeddingCacheAsync(Clock.GetUtcNow() - TimeSpan.FromHours(4.5), 0, Ct)).Should().Be(2);
        (await eviction.EvictEmbeddingCacheAsync(null, 3, Ct)).Should().Be(1);
        (await Store.GetManyAsync(model, hashes, Ct)).Keys.Should().BeEquivalentTo(hashes.Skip(3), "the newest rows stay");
        (await eviction.EvictEmbeddingCacheAsync(null, 0, Ct)).Should().Be(0, "no bound, nothing evicted");
    }

    [Fact]
    public async Task Many_hashes_are_read_in_one_call()
    {
        var model = new EmbeddingModel("fake:model", 1);
        var entries = Enumerable.Range(0, 5_000).Select(i => KeyValuePair.Create(i.ToString("x64", CultureInfo.InvariantCulture), (ReadOnlyMemory<float>)new float[] { i })).ToList();

        await Store.PutManyAsync(model, entries, Ct);
        var found = await Store.GetManyAsync(model, entries.Select(e => e.Key).ToList(), Ct);

        found.Should().HaveCount(5_000);
        found[entries[4321].Key].ToArray().Should().Equal(4321f);
    }

    [Fact]
    public async Task A_vector_of_the_wrong_dimension_is_refused()
    {
        var act = () => Store.PutManyAsync(new EmbeddingModel("fake:model", 3), [new(new string('a', 64), new float[] { 1f })], Ct);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*1 dimensions, expected 3*");
    }
}
