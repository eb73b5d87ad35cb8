using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Quarry.Documents;
using Quarry.Embedding;
using Quarry.Indexing;
using Quarry.Indexing.Vectors;
using Quarry.Ingestion;
using Quarry.Retrieval;
using Quarry.Vectorizing;

namespace Quarry.Storage.Sqlite.Tests.Embedding;

/// <summary>
/// The engine as a process composes it (store, embedding cache, vector index, ingestion, retrieval, re-embedding) on a
/// data directory that several hosts may share, as several processes share one file. A host with another embedder is
/// a process restarted with another model configured.
/// </summary>
internal sealed class EngineHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private EngineHost(ServiceProvider services, WordHashEmbedder? embedder)
    {
        _services = services;
        Embedder = embedder;
    }

    public WordHashEmbedder? Embedder { get; }
    public IDocumentStore Store => _services.GetRequiredService<IDocumentStore>();
    public Retriever Retriever => _services.GetRequiredService<Retriever>();
    public KnowledgeBaseReindexer Reindexer => _services.GetRequiredService<KnowledgeBaseReindexer>();
    public IVectorIndex Vectors => _services.GetRequiredService<IVectorIndex>();
    public VectorFiller Filler => _services.GetRequiredService<VectorFiller>();

    /// <summary>The process's background services (the vectorizing stage among them), as a host starts them.</summary>
    public IEnumerable<IHostedService> HostedServices => _services.GetServices<IHostedService>();

    /// <summary>Vector search alone, for the documents it finds.</summary>
    public async Task<IReadOnlyList<DocumentId>> VectorSearchAsync(string query)
    {
        var vector = (await Embedder!.EmbedAsync([query], EmbeddingKind.Query, CancellationToken.None))[0];
        var hits = await Vectors.SearchAsync(new VectorSearchRequest(vector, Embedder.Model.Id, SearchFilter.ForTenant(TenantId.Default), 100), CancellationToken.None);
        return hits.Select(h => h.DocumentId).Distinct().ToList();
    }

    public static async Task<EngineHost> StartAsync(string dataDirectory, WordHashEmbedder? embedder, TimeProvider? time = null,
        TimeSpan? refreshInterval = null, int reindexBatch = 256, int changeRetention = 100_000,
        IngestionVectors vectors = IngestionVectors.Inline, Action<VectorizingOptions>? vectorizing = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        if (time is not null) services.AddSingleton(time);
        services.AddQuarrySqliteStorage(o =>
        {
            o.DataDirectory = dataDirectory;
            o.IndexChangeRetention = changeRetention;
        });
        if (embedder is not null)
        {
            services.AddSingleton<IEmbedder>(embedder);
            services.AddQuarryEmbeddingCache();
            services.AddQuarryVectorIndex(o =>
            {
                o.Model = embedder.Model.Id;
                o.Dimension = embedder.Model.Dimension;
                o.RefreshInterval = refreshInterval ?? TimeSpan.Zero;
            });
        }
        services.AddQuarryIngestion(o => o.Vectors = vectors);
        services.AddQuarryVectorizing(vectorizing);
        services.AddQuarryVectorizingWorker();
        services.AddQuarryRetrieval();
        services.AddQuarryReindexing(o => o.BatchSize = reindexBatch);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        await provider.LoadQuarryVectorIndexAsync(CancellationToken.None);
        return new EngineHost(provider, embedder);
    }

    public async Task<IngestReport> IngestAsync(string knowledgeBase, params (string Name, string Text)[] files)
    {
        var sources = files.Select(f => IngestSource.FromBytes("mem://" + f.Name, f.Name, Encoding.UTF8.GetBytes(f.Text))).ToList();
        var report = await _services.GetRequiredService<DocumentIngestor>().IngestAsync(new IngestRequest(TenantId.Default, knowledgeBase, sources), null, CancellationToken.None);
        report.Failed.Should().BeEmpty();
        return report;
    }

    public async Task<RetrievalResult> SearchAsync(string query, string? knowledgeBase = null)
    {
        var filter = SearchFilter.ForTenant(TenantId.Default);
        if (knowledgeBase is not null)
            filter = filter with { KnowledgeBases = [(await KnowledgeBaseAsync(knowledgeBase)).Id] };
        return await Retriever.RetrieveAsync(new RetrievalRequest(query, filter, 10), CancellationToken.None);
    }

    public async Task<KnowledgeBase> KnowledgeBaseAsync(string name) =>
        (await Store.FindKnowledgeBaseAsync(TenantId.Default, name, CancellationToken.None))!;

    public Task<ReindexReport> ReindexAsync(string knowledgeBase, bool dropPrevious = true) =>
        Reindexer.ReindexAsync(TenantId.Default, knowledgeBase, dropPrevious, null, CancellationToken.None);

    public async Task<DocumentId> DocumentIdAsync(string name)
    {
        var page = await Store.ListDocumentsAsync(new DocumentListQuery { Tenant = TenantId.Default }, CancellationToken.None);
        return page.Items.Single(d => d.SourceUri == "mem://" + name).Id;
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

/// <summary>
/// A deterministic stand-in for an embedding model: each word adds to a dimension chosen by hashing it together with
/// the model id, so two models give unrelated vectors for the same text (comparing across them would be noise).
/// Counts the passages it embeds, and can be told to fail like an unavailable provider.
/// </summary>
internal sealed class WordHashEmbedder(string model, int dimension) : IEmbedder
{
    private int _documentTexts;
    private int _calls;

    public EmbeddingModel Model { get; } = new(model, dimension);

    /// <summary>Document (not query) texts that reached this embedder, i.e. were not served by the cache.</summary>
    public int DocumentTexts => Volatile.Read(ref _documentTexts);

    /// <summary>Document calls allowed before every further call fails.</summary>
    public int FailAfterDocumentCalls { get; set; } = int.MaxValue;

    public Task<IReadOnlyList<ReadOnlyMemory<float>>> EmbedAsync(IReadOnlyList<string> texts, EmbeddingKind kind, CancellationToken cancellationToken)
    {
        if (kind == EmbeddingKind.Document)
        {
            if (Interlocked.Increment(ref _calls) > FailAfterDocumentCalls)
                throw new EmbeddingException("HTTP 503 from the provider", isTransient: true);
            Interlocked.Add(ref _documentTexts, texts.Count);
        }
        return Task.FromResult<IReadOnlyList<ReadOnlyMemory<float>>>(texts.Select(t => (ReadOnlyMemory<float>)Vector(t)).ToList());
    }

    private float[] Vector(string text)
    {
        var v = new float[Model.Dimension];
        foreach (var word in text.ToLowerInvariant().Split([' ', '.', ',', '\n'], StringSplitOptions.RemoveEmptyEntries))
            v[(int)((uint)StableHash(Model.Id + "/" + word) % Model.Dimension)] += 1;
        return v;
    }

    private static int StableHash(string s) => s.Aggregate(17, (h, c) => unchecked(h * 31 + c));
}
