using Microsoft.Extensions.Hosting;
using Quarry.Documents;
using Quarry.Ingestion;
using Quarry.Vectorizing;

namespace Quarry.Storage.Sqlite.Tests.Embedding;

/// <summary>
/// Ingestion:Vectors = Background on a SQLite file: documents are searchable by keyword as soon as they are stored, the
/// background stage fills their vectors in, and hybrid search covers what it has filled so far.
/// </summary>
public sealed class BackgroundVectorsTests : IAsyncDisposable
{
    private static readonly (string, string)[] Files =
    [
        ("refunds.md", "Refunds are paid within fourteen days of receiving the returned item."),
        ("shipping.md", "Parcels ship within two working days from our warehouse."),
        ("gifts.md", "Gift cards cannot be refunded or exchanged for cash."),
    ];

    private readonly string _data = SqliteTestStore.NewDirectory();
    private EngineHost? _host;

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            foreach (var service in _host.HostedServices) await service.StopAsync(CancellationToken.None);
            await _host.DisposeAsync();
        }
        SqliteTestStore.DeleteDirectory(_data);
    }

    private async Task<EngineHost> StartAsync(WordHashEmbedder embedder, int batchSize = 64)
    {
        _host = await EngineHost.StartAsync(_data, embedder, vectors: IngestionVectors.Background, vectorizing: o =>
        {
            o.BatchSize = batchSize;
            o.RetryDelay = TimeSpan.FromMilliseconds(20);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(50);
            o.SweepInterval = TimeSpan.FromMilliseconds(50);
        });
        return _host;
    }

    private static async Task RunBackgroundAsync(EngineHost host)
    {
        foreach (var service in host.HostedServices) await service.StartAsync(CancellationToken.None);
    }

    /// <summary>Polls (the stage runs on its own); the timeout only bounds a broken test, it measures nothing.</summary>
    private static async Task<VectorCoverage> WaitForVectorsAsync(EngineHost host, string knowledgeBase)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var kb = await host.KnowledgeBaseAsync(knowledgeBase);
            var coverage = await host.Filler.GetCoverageAsync(kb, timeout.Token);
            if (coverage is { } c && c.Embedded == c.Chunks && kb.EmbeddingModel is not null && !kb.EmbeddingsIncomplete) return c;
            await Task.Delay(20, timeout.Token);
        }
    }

    [Fact]
    public async Task Documents_are_found_by_keyword_before_their_vectors_and_by_both_once_the_background_stage_filled_them()
    {
        var embedder = new WordHashEmbedder("words", 64);
        var host = await StartAsync(embedder);
        await host.IngestAsync("help", Files);

        embedder.DocumentTexts.Should().Be(0, "nothing is embedded before the documents are stored");
        var before = await host.SearchAsync("refunds returned item", "help");
        before.Mode.Should().Be("keyword");
        before.Chunks.Should().NotBeEmpty().And.Subject.First().Chunk.SourceUri.Should().Be("mem://refunds.md");
        (await host.Filler.GetCoverageAsync(await host.KnowledgeBaseAsync("help"), CancellationToken.None))
            .Should().Be(new VectorCoverage("words", 0, 3));

        await RunBackgroundAsync(host);
        (await WaitForVectorsAsync(host, "help")).Should().Be(new VectorCoverage("words", 3, 3));

        var after = await host.SearchAsync("refunds returned item", "help");
        after.Mode.Should().Be("hybrid");
        after.Degraded.Should().BeNull();
        after.Chunks[0].VectorRank.Should().NotBeNull();
        embedder.DocumentTexts.Should().Be(3);
    }

    [Fact]
    public async Task A_partly_filled_knowledge_base_is_searched_by_vectors_where_they_exist_and_by_keyword_everywhere()
    {
        var host = await StartAsync(new WordHashEmbedder("words", 64), batchSize: 1);
        await host.IngestAsync("help", Files);

        var report = await host.Filler.FillAsync(await host.KnowledgeBaseAsync("help"), maxBatches: 1, null, CancellationToken.None);

        report.Should().Match<VectorFillReport>(r => r.Embedded == 1 && r.Missing == 2 && !r.Skipped);
        var kb = await host.KnowledgeBaseAsync("help");
        kb.EmbeddingModel!.Id.Should().Be("words", "the first vectors make the model searchable for a fresh knowledge base");
        kb.EmbeddingsIncomplete.Should().BeTrue();
        var result = await host.SearchAsync("gift cards cash", "help");
        result.Mode.Should().Be("hybrid");
        result.Degraded.Should().Contain("without vectors");
        result.Chunks.Should().Contain(c => c.Chunk.SourceUri == "mem://gifts.md" && c.KeywordRank != null,
            "a chunk without a vector is still found by its words");
        result.Chunks.Where(c => c.VectorRank != null).Should().ContainSingle("one batch of one chunk has a vector so far");
    }

    [Fact]
    public async Task A_failing_embedder_leaves_the_documents_searchable_and_is_retried_until_it_recovers()
    {
        var embedder = new WordHashEmbedder("words", 64) { FailAfterDocumentCalls = 0 };
        var host = await StartAsync(embedder);
        await host.IngestAsync("help", Files);
        await RunBackgroundAsync(host);

        // Several failed rounds, each after a back-off; the documents stay searchable by keyword all along.
        await Task.Delay(200);
        (await host.SearchAsync("parcels warehouse", "help")).Chunks.Should().NotBeEmpty();
        (await host.KnowledgeBaseAsync("help")).EmbeddingModel.Should().BeNull();

        embedder.FailAfterDocumentCalls = int.MaxValue;
        (await WaitForVectorsAsync(host, "help")).Embedded.Should().Be(3);
        (await host.SearchAsync("parcels warehouse", "help")).Mode.Should().Be("hybrid");
    }

    [Fact]
    public async Task A_knowledge_base_on_another_model_is_left_to_reindex()
    {
        await using (var old = await EngineHost.StartAsync(_data, new WordHashEmbedder("old", 32)))
            await old.IngestAsync("help", Files[0]);
        var host = await StartAsync(new WordHashEmbedder("new", 64));
        await host.IngestAsync("help", Files[1]);

        var report = await host.Filler.FillAsync(await host.KnowledgeBaseAsync("help"), null, null, CancellationToken.None);

        report.Skipped.Should().BeTrue();
        report.Embedded.Should().Be(0);
        (await host.KnowledgeBaseAsync("help")).EmbeddingModel!.Id.Should().Be("old");
    }
}
