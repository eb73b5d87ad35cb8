using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Quarry.Embedding;

namespace Quarry.Core.Tests.Embedding;

public sealed class CachingEmbedderTests
{
    private static CancellationToken Ct => CancellationToken.None;

    private readonly CountingEmbedder _inner = new();
    private readonly InMemoryCache _cache = new();

    private CachingEmbedder Caching() => new(_inner, _cache, NullLogger<CachingEmbedder>.Instance);

    [Fact]
    public async Task Only_texts_not_cached_reach_the_inner_embedder_and_results_keep_input_order()
    {
        var embedder = Caching();
        await embedder.EmbedAsync(["a", "b"], EmbeddingKind.Document, Ct);

        var vectors = await embedder.EmbedAsync(["c", "a", "d", "b"], EmbeddingKind.Document, Ct);

        _inner.Calls.Should().HaveCount(2);
        _inner.Calls[1].Should().Equal("c", "d");
        vectors.Select(v => v.ToArray()).Should().BeEquivalentTo(
            new[] { "c", "a", "d", "b" }.Select(CountingEmbedder.VectorFor), o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task Identical_texts_in_one_batch_are_embedded_once()
    {
        var vectors = await Caching().EmbedAsync(["x", "y", "x", "x"], EmbeddingKind.Document, Ct);

        _inner.Calls.Should().ContainSingle().Which.Should().Equal("x", "y");
        vectors.Should().HaveCount(4);
        vectors[3].ToArray().Should().Equal(CountingEmbedder.VectorFor("x"));
    }

    [Fact]
    public async Task All_hits_make_no_inner_call()
    {
        var embedder = Caching();
        await embedder.EmbedAsync(["a", "b"], EmbeddingKind.Document, Ct);

        await embedder.EmbedAsync(["b", "a", "a"], EmbeddingKind.Document, Ct);

        _inner.Calls.Should().ContainSingle();
    }

    [Fact]
    public async Task Queries_and_documents_are_cached_apart()
    {
        var embedder = Caching();
        await embedder.EmbedAsync(["a"], EmbeddingKind.Document, Ct);

        await embedder.EmbedAsync(["a"], EmbeddingKind.Query, Ct);

        _inner.Calls.Should().HaveCount(2);
        EmbeddingTextHash.Compute("a", EmbeddingKind.Query).Should().NotBe(EmbeddingTextHash.Compute("a", EmbeddingKind.Document));
    }

    [Fact]
    public async Task Entries_are_keyed_by_model_and_dimension()
    {
        await Caching().EmbedAsync(["a"], EmbeddingKind.Document, Ct);
        _inner.Model = new EmbeddingModel("fake:other", CountingEmbedder.Dimension);

        await Caching().EmbedAsync(["a"], EmbeddingKind.Document, Ct);

        _inner.Calls.Should().HaveCount(2);
    }

    [Fact]
    public async Task Cached_vectors_of_the_wrong_length_are_embedded_again()
    {
        var hash = EmbeddingTextHash.Compute("a", EmbeddingKind.Document);
        _cache.Entries[(_inner.Model, hash)] = new float[] { 1f };

        var vectors = await Caching().EmbedAsync(["a"], EmbeddingKind.Document, Ct);

        vectors[0].Length.Should().Be(CountingEmbedder.Dimension);
        _inner.Calls.Should().ContainSingle();
    }

    [Fact]
    public async Task A_failing_cache_degrades_to_embedding()
    {
        _cache.Fail = true;

        var vectors = await Caching().EmbedAsync(["a", "b"], EmbeddingKind.Document, Ct);

        vectors.Should().HaveCount(2);
        _inner.Calls.Should().ContainSingle();
    }

    [Fact]
    public async Task An_embedder_learning_its_dimension_is_cached_once_it_knows_it()
    {
        _inner.LearnsDimension = true;
        var embedder = Caching();
        await embedder.EmbedAsync(["a"], EmbeddingKind.Document, Ct);

        await embedder.EmbedAsync(["a"], EmbeddingKind.Document, Ct);

        _inner.Calls.Should().ContainSingle();
        _cache.Entries.Keys.Should().ContainSingle().Which.Model.Dimension.Should().Be(CountingEmbedder.Dimension);
    }

    [Fact]
    public void Hashes_are_lower_case_sha256_hex() =>
        EmbeddingTextHash.Compute("a", EmbeddingKind.Document).Should().MatchRegex("^[0-9a-f]{64}$");

    private sealed class CountingEmbedder : IEmbedder
    {
        public const int Dimension = 3;
        private EmbeddingModel _model = new("fake:model", Dimension);
        private bool _learnt;

        public List<string[]> Calls { get; } = [];

        public bool LearnsDimension { get; set; }

        public EmbeddingModel Model
        {
            get => LearnsDimension && !_learnt ? _model with { Dimension = 0 } : _model;
            set => _model = value;
        }

        public static float[] VectorFor(string text) => [text.Length, text[0], 1f];

        public Task<IReadOnlyList<ReadOnlyMemory<float>>> EmbedAsync(IReadOnlyList<string> texts, EmbeddingKind kind, CancellationToken cancellationToken)
        {
            Calls.Add([.. texts]);
            _learnt = true;
            return Task.FromResult<IReadOnlyList<ReadOnlyMemory<float>>>([.. texts.Select(t => (ReadOnlyMemory<float>)VectorFor(t))]);
        }
    }

    private sealed class InMemoryCache : IEmbeddingCache
    {
        public ConcurrentDictionary<(EmbeddingModel Model, string Hash), ReadOnlyMemory<float>> Entries { get; } = new();

        public bool Fail { get; set; }

        public Task<IReadOnlyDictionary<string, ReadOnlyMemory<float>>> GetManyAsync(EmbeddingModel model, IReadOnlyCollection<string> textHashes, CancellationToken cancellationToken)
        {
            if (Fail)
                throw new IOException("disk on fire");
            var found = new Dictionary<string, ReadOnlyMemory<float>>();
            foreach (var hash in textHashes)
            {
                if (Entries.TryGetValue((model, hash), out var vector))
                    found[hash] = vector;
            }
            return Task.FromResult<IReadOnlyDictionary<string, ReadOnlyMemory<float>>>(found);
        }

        public Task PutManyAsync(EmbeddingModel model, IReadOnlyCollection<KeyValuePair<string, ReadOnlyMemory<float>>> entries, CancellationToken cancellationToken)
        {
            if (Fail)
                throw new IOException("disk on fire");
            foreach (var (hash, vector) in entries)
                Entries[(model, hash)] = vector;
            return Task.CompletedTask;
        }
    }
}
