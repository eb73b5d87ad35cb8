using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Quarry.Documents;
using Quarry.Embedding;
using Quarry.Indexing;
using Quarry.Ingestion;
using Quarry.Retrieval;
using Quarry.Storage.Sqlite;

namespace Quarry.Storage.Sqlite.Tests.Retrieval;

/// <summary>
/// The retriever on a real SQLite store, with a small bag-of-words embedder and a brute-force vector index standing in
/// for the models and index that are not in this project (both are Quarry's own seams).
/// </summary>
public sealed class HybridRetrieverTests : IAsyncDisposable
{
    private readonly string _data = SqliteTestStore.NewDirectory();
    private ServiceProvider? _services;

    public async ValueTask DisposeAsync()
    {
        if (_services is not null) await _services.DisposeAsync();
        SqliteTestStore.DeleteDirectory(_data);
    }

    private async Task<Retriever> BuildAsync(IEmbedder? embedder, Action<RetrievalOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddQuarrySqliteStorage(o => o.DataDirectory = _data);
        services.AddQuarryIngestion();
        var index = new BruteForceIndex();
        if (embedder is not null)
        {
            services.AddSingleton(embedder);
            services.AddSingleton<IVectorIndex>(index);
        }
        services.AddQuarryRetrieval(configure);
        _services = services.BuildServiceProvider();

        var sources = new[]
        {
            ("cars.txt", "Our car insurance covers theft and fire damage."),
            ("boats.txt", "Boat insurance covers storms at sea."),
            ("cats.txt", "Cats sleep most of the day."),
        }.Select(f => IngestSource.FromBytes("mem://" + f.Item1, f.Item1, System.Text.Encoding.UTF8.GetBytes(f.Item2))).ToList();
        await _services.GetRequiredService<DocumentIngestor>().IngestAsync(new IngestRequest(TenantId.Default, "kb", sources), null, CancellationToken.None);

        var store = _services.GetRequiredService<IDocumentStore>();
        var docs = await store.ListDocumentsAsync(new DocumentListQuery { Tenant = TenantId.Default }, CancellationToken.None);
        foreach (var doc in docs.Items)
        {
            foreach (var chunk in await store.GetChunksAsync(TenantId.Default, doc.Id, CancellationToken.None))
                index.Add(chunk, BagOfWordsEmbedder.Vector(chunk.Text));
        }
        return _services.GetRequiredService<Retriever>();
    }

    private static RetrievalRequest Query(string text) => new(text, SearchFilter.ForTenant(TenantId.Default), 5);

    [Fact]
    public async Task Without_an_embedder_retrieval_is_keyword_only_and_says_so()
    {
        var retriever = await BuildAsync(embedder: null);

        var result = await retriever.RetrieveAsync(Query("car insurance"), CancellationToken.None);

        result.Mode.Should().Be("keyword");
        result.Degraded.Should().Contain("no embedder");
        result.Chunks[0].Chunk.Title.Should().Be("cars");
        result.Chunks.Should().OnlyContain(c => c.VectorRank == null);
    }

    [Fact]
    public async Task Hybrid_fuses_normalized_scores_by_default_and_finds_what_only_the_vectors_see()
    {
        var retriever = await BuildAsync(new BagOfWordsEmbedder());

        var vectorOnly = await retriever.RetrieveAsync(Query("automobile"), CancellationToken.None);
        vectorOnly.Chunks[0].Chunk.Title.Should().Be("cars");
        vectorOnly.Chunks[0].KeywordRank.Should().BeNull();
        vectorOnly.Chunks[0].Score.Should().BeGreaterThanOrEqualTo(0.3, "the best vector hit gets the whole vector weight");

        // Top of the keyword search, the n-gram signal and the vector search: 0.7 · (0.7 · 1 + 0.3 · 1) + 0.3 · 1.
        var top = (await retriever.RetrieveAsync(Query("car theft"), CancellationToken.None)).Chunks[0];
        top.Chunk.Title.Should().Be("cars");
        (top.KeywordRank, top.VectorRank).Should().Be((1, 1));
        top.Score.Should().BeApproximately(1.0, 1e-9);
    }

    [Fact]
    public async Task Reciprocal_rank_fusion_remains_available()
    {
        var retriever = await BuildAsync(new BagOfWordsEmbedder(), o => (o.Fusion, o.KeywordWeight, o.VectorWeight) = (FusionMethod.ReciprocalRank, 1, 1));

        // "automobile" is in no document; the embedder maps it next to "car".
        var vectorOnly = await retriever.RetrieveAsync(Query("automobile"), CancellationToken.None);

        vectorOnly.Mode.Should().Be("hybrid");
        vectorOnly.Degraded.Should().BeNull();
        vectorOnly.Chunks[0].Chunk.Title.Should().Be("cars");
        vectorOnly.Chunks[0].KeywordRank.Should().BeNull();
        vectorOnly.Chunks[0].VectorRank.Should().Be(1);
        vectorOnly.Chunks[0].Score.Should().BeApproximately(1.0 / 61, 1e-12);

        // Found first by both searches: RRF with k = 60 gives 1/61 + 1/61.
        var result = await retriever.RetrieveAsync(Query("car theft"), CancellationToken.None);
        var top = result.Chunks[0];
        top.Chunk.Title.Should().Be("cars");
        (top.KeywordRank, top.VectorRank).Should().Be((1, 1));
        top.Score.Should().BeApproximately(2.0 / 61, 1e-12);
        result.Chunks.Select(c => c.Chunk.Id).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task A_failing_embedder_degrades_to_keyword_only_with_the_reason()
    {
        var retriever = await BuildAsync(new FailingEmbedder(new EmbeddingException("HTTP 503 from provider", isTransient: true)));

        var result = await retriever.RetrieveAsync(Query("car insurance"), CancellationToken.None);

        result.Mode.Should().Be("keyword");
        result.Degraded.Should().Contain("unavailable").And.Contain("503");
        result.Chunks.Should().NotBeEmpty();
    }

    [Fact]
    public async Task A_slow_embedder_is_cut_off_by_the_timeout()
    {
        var retriever = await BuildAsync(new FailingEmbedder(null), o => o.EmbeddingTimeout = TimeSpan.FromMilliseconds(200));

        var result = await retriever.RetrieveAsync(Query("car insurance"), CancellationToken.None);

        result.Mode.Should().Be("keyword");
        result.Degraded.Should().Contain("did not answer");
    }

    [Fact]
    public async Task An_embedder_returning_the_wrong_dimension_is_named_not_used()
    {
        var retriever = await BuildAsync(new BagOfWordsEmbedder(declaredDimension: 384));

        var result = await retriever.RetrieveAsync(Query("car insurance"), CancellationToken.None);

        result.Mode.Should().Be("keyword");
        result.Degraded.Should().Contain("64 dimensions").And.Contain("384");
    }

    [Fact]
    public async Task A_candidate_replaced_after_its_n_gram_profile_was_cached_is_skipped_when_the_results_are_read()
    {
        var retriever = await BuildAsync(new BagOfWordsEmbedder());
        var first = await retriever.RetrieveAsync(Query("boat insurance storms"), CancellationToken.None);
        var stale = first.Chunks.Single(c => c.Chunk.Title == "boats").Chunk.Id;

        // A new version of the file gets new chunk ids; the vector index here is not told, so it still returns the old
        // chunk, whose n-gram profile the first query cached: only reading the results can notice it is gone.
        var source = IngestSource.FromBytes("mem://boats.txt", "boats.txt", "Boat insurance covers storms and theft at sea."u8.ToArray());
        await _services!.GetRequiredService<DocumentIngestor>().IngestAsync(new IngestRequest(TenantId.Default, "kb", [source]), null, CancellationToken.None);
        var all = await retriever.RetrieveAsync(Query("boat insurance storms"), CancellationToken.None);
        var top2 = await retriever.RetrieveAsync(Query("boat insurance storms") with { TopK = 2 }, CancellationToken.None);

        all.Chunks.Should().NotContain(c => c.Chunk.Id == stale);
        all.Chunks[0].Chunk.Text.Should().Contain("theft at sea");
        all.Chunks.Select(c => c.Chunk.Title).Should().Equal("boats", "cars");
        // The stale chunk ranks among the first two (vector and n-gram evidence): the next candidate fills its place.
        top2.Chunks.Select(c => c.Chunk.Title).Should().Equal("boats", "cars");
    }

    private sealed class BagOfWordsEmbedder(int declaredDimension = BagOfWordsEmbedder.Dimension) : IEmbedder
    {
        public const int Dimension = 64;
        private static readonly Dictionary<string, string> Synonyms = new() { ["automobile"] = "car", ["vehicle"] = "car" };

        public EmbeddingModel Model { get; } = new("test:bag-of-words", declaredDimension);

        public Task<IReadOnlyList<ReadOnlyMemory<float>>> EmbedAsync(IReadOnlyList<string> texts, EmbeddingKind kind, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ReadOnlyMemory<float>>>(texts.Select(t => (ReadOnlyMemory<float>)Vector(t)).ToList());

        public static float[] Vector(string text)
        {
            var v = new float[Dimension];
            foreach (var raw in text.ToLowerInvariant().Split([' ', '.', ','], StringSplitOptions.RemoveEmptyEntries))
            {
                var word = Synonyms.GetValueOrDefault(raw, raw);
                v[(int)((uint)StableHash(word) % Dimension)] += 1;
            }
            var norm = MathF.Sqrt(v.Sum(x => x * x));
            return norm == 0 ? v : v.Select(x => x / norm).ToArray();
        }

        private static int StableHash(string s) => s.Aggregate(17, (h, c) => unchecked(h * 31 + c));
    }

    /// <summary>Embeds documents (ingestion works), but for queries throws the given exception or, when it is null,
    /// never answers until cancelled.</summary>
    private sealed class FailingEmbedder(Exception? error) : IEmbedder
    {
        private readonly BagOfWordsEmbedder _documents = new();

        public EmbeddingModel Model { get; } = new("test:failing", BagOfWordsEmbedder.Dimension);

        public async Task<IReadOnlyList<ReadOnlyMemory<float>>> EmbedAsync(IReadOnlyList<string> texts, EmbeddingKind kind, CancellationToken cancellationToken)
        {
            if (kind == EmbeddingKind.Document) return await _documents.EmbedAsync(texts, kind, cancellationToken);
            if (error is not null) throw error;
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return [];
        }
    }

    private sealed class BruteForceIndex : IVectorIndex
    {
        private readonly List<(Chunk Chunk, float[] Vector)> _rows = [];

        public void Add(Chunk chunk, float[] vector) => _rows.Add((chunk, vector));

        public Task<IReadOnlyList<VectorHit>> SearchAsync(VectorSearchRequest request, CancellationToken cancellationToken)
        {
            var query = request.Query.ToArray();
            return Task.FromResult<IReadOnlyList<VectorHit>>(_rows
                .Where(r => r.Chunk.TenantId == request.Filter.Tenant)
                .Select(r => new VectorHit(r.Chunk.Id, r.Chunk.DocumentId, r.Vector.Zip(query, (a, b) => (double)a * b).Sum()))
                .Where(h => h.Score > 0)
                .OrderByDescending(h => h.Score)
                .Take(request.Limit)
                .ToList());
        }
    }
}
