using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Quarry.Documents;
using Quarry.Ingestion;
using Quarry.Storage.Sqlite;

namespace Quarry.Storage.Sqlite.Tests.Ingestion;

/// <summary>The ingestion pipeline end to end on a real SQLite file: parse → chunk → store, with faults.</summary>
public sealed class IngestionPipelineTests : IAsyncDisposable
{
    private readonly string _data = SqliteTestStore.NewDirectory();
    private readonly string _files = Directory.CreateTempSubdirectory("quarry-ingest-").FullName;
    private readonly ServiceProvider _services;

    public IngestionPipelineTests()
    {
        var services = new ServiceCollection();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddQuarryIngestion(o => o.Parallelism = 2);
        services.AddQuarrySqliteStorage(o => o.DataDirectory = _data);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteTestStore.DeleteDirectory(_data);
        Directory.Delete(_files, recursive: true);
    }

    private DocumentIngestor Ingestor => _services.GetRequiredService<DocumentIngestor>();
    private IDocumentStore Store => _services.GetRequiredService<IDocumentStore>();

    private IReadOnlyList<IngestSource> WriteFiles(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var body = string.Join("\n\n", Enumerable.Range(0, 40).Select(p => $"Paragraph {p} of file {i} talks about topic {i % 7}."));
            File.WriteAllText(Path.Combine(_files, $"doc-{i:D4}.md"), $"# File {i}\n\n## Part A\n\n{body}\n\n## Part B\n\n{body}\n");
        }
        return _services.GetRequiredService<FileSourceResolver>().Resolve([_files]).Sources;
    }

    [Fact]
    public async Task Cancelling_a_batch_leaves_every_document_whole_or_absent()
    {
        var sources = WriteFiles(200);
        using var cancel = new CancellationTokenSource();
        var progress = new SynchronousProgress(p =>
        {
            if (p.FilesDone == 40) cancel.Cancel();
        });

        var run = () => Ingestor.IngestAsync(new IngestRequest(TenantId.Default, "kb", sources), progress, cancel.Token);

        await run.Should().ThrowAsync<OperationCanceledException>();
        var page = await Store.ListDocumentsAsync(new DocumentListQuery { Tenant = TenantId.Default, Limit = 1000 }, CancellationToken.None);
        page.Total.Should().BeInRange(40, 199);
        foreach (var document in page.Items)
        {
            var chunks = await Store.GetChunksAsync(TenantId.Default, document.Id, CancellationToken.None);
            chunks.Should().HaveCount(document.ChunkCount).And.OnlyContain(c => c.Version == document.Version);
        }

        // Running the batch again completes it: what was stored is unchanged, the rest is created.
        var report = await Ingestor.IngestAsync(new IngestRequest(TenantId.Default, "kb", sources), null, CancellationToken.None);
        report.Documents.Should().Be(200);
        report.Unchanged.Should().Be(page.Total);
        report.Created.Should().Be(200 - page.Total);
    }

    [Fact]
    public async Task Two_batches_over_the_same_files_at_once_store_each_document_once()
    {
        var sources = WriteFiles(60);

        var reports = await Task.WhenAll(
            Ingestor.IngestAsync(new IngestRequest(TenantId.Default, "kb", sources), null, CancellationToken.None),
            Ingestor.IngestAsync(new IngestRequest(TenantId.Default, "kb", sources.Reverse().ToList()), null, CancellationToken.None));

        reports.Sum(r => r.Created).Should().Be(60, "each document is created by exactly one of the batches");
        reports.Sum(r => r.Unchanged).Should().Be(60);
        reports.Should().OnlyContain(r => r.Failed.Count == 0);
        var page = await Store.ListDocumentsAsync(new DocumentListQuery { Tenant = TenantId.Default, Limit = 1000 }, CancellationToken.None);
        page.Total.Should().Be(60);
        page.Items.Should().OnlyContain(d => d.Version == 1);
    }

    [Fact]
    public async Task Chunks_carry_heading_trails_spans_into_the_stored_text_and_token_counts()
    {
        var sources = WriteFiles(3);

        await Ingestor.IngestAsync(new IngestRequest(TenantId.Default, "kb", sources, new Dictionary<string, string> { ["team"] = "docs" }), null, CancellationToken.None);

        var page = await Store.ListDocumentsAsync(new DocumentListQuery { Tenant = TenantId.Default }, CancellationToken.None);
        foreach (var document in page.Items)
        {
            document.Tags.Should().Contain("team", "docs");
            document.Language.Should().Be("en");
            var text = await Store.GetDocumentTextAsync(TenantId.Default, document.Id, CancellationToken.None);
            var chunks = await Store.GetChunksAsync(TenantId.Default, document.Id, CancellationToken.None);
            chunks.Should().NotBeEmpty();
            foreach (var chunk in chunks)
            {
                chunk.Text[chunk.HeaderPrefixLength..].Should().Be(text![chunk.Span.Start..chunk.Span.End]);
                chunk.Section.Should().HaveCount(2).And.Subject.First().Should().StartWith("File ");
                chunk.TokenCount.Should().BeInRange(1, 512);
                chunk.Tags.Should().Contain("team", "docs");
            }
        }
    }

    private sealed class SynchronousProgress(Action<IngestProgress> report) : IProgress<IngestProgress>
    {
        public void Report(IngestProgress value) => report(value);
    }
}
