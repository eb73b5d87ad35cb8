using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Quarry.Diagnostics;
using Quarry.Documents;
using Quarry.Ingestion;
using Quarry.Storage.Sqlite;

namespace Quarry.Storage.Sqlite.Tests.Ingestion;

/// <summary>The writer's batches on a real SQLite file: small documents share a commit beyond the queue's capacity.</summary>
public sealed class IngestionBatchingTests : IAsyncDisposable
{
    private readonly string _data = SqliteTestStore.NewDirectory();
    private readonly ServiceProvider _services;

    public IngestionBatchingTests()
    {
        var services = new ServiceCollection();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        // No timer ever fires, so the writer's wait for more documents ends only when its batch is full or the job's
        // documents are all prepared: the batches below do not depend on how fast this machine parses.
        services.AddSingleton<TimeProvider>(new TimersNeverFire());
        services.AddQuarryIngestion(o => o.Parallelism = 2);
        services.AddQuarrySqliteStorage(o => o.DataDirectory = _data);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteTestStore.DeleteDirectory(_data);
    }

    [Fact]
    public async Task Small_documents_are_stored_in_batches_fuller_than_the_queue()
    {
        var name = "batching-" + Guid.NewGuid().ToString("N");
        var sources = Enumerable.Range(0, 100).Select(i => IngestSource.FromBytes(
            $"test://{name}/{i}", $"doc-{i}.txt", Encoding.UTF8.GetBytes($"Document {i} is about topic {i % 7}. It has a second sentence."),
            "text/plain", $"Doc {i}")).ToList();
        var batches = new ConcurrentQueue<(ActivityTraceId Trace, int Documents)>();
        ActivityTraceId? job = null;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == QuarryTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.OperationName == "ingest.job" && Equals(activity.GetTagItem("quarry.kb"), name)) job = activity.TraceId;
                if (activity.OperationName == "store.upsert_batch" && activity.GetTagItem("quarry.upsert.documents") is int count)
                    batches.Enqueue((activity.TraceId, count));
            },
        };
        ActivitySource.AddActivityListener(listener);

        var report = await _services.GetRequiredService<DocumentIngestor>().IngestAsync(
            new IngestRequest(TenantId.Default, name, sources), null, CancellationToken.None);

        report.Created.Should().Be(100);
        report.Failed.Should().BeEmpty();
        job.Should().NotBeNull();
        // The queue between parsing and storing holds 16 documents; the writer waits for more, up to 64 a commit.
        batches.Where(b => b.Trace == job).Select(b => b.Documents).Should().Equal(64, 36);
    }

    private sealed class TimersNeverFire : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new Idle();

        private sealed class Idle : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;
            public void Dispose() { }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
