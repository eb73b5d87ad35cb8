using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Quarry.Audit;
using Quarry.Diagnostics;
using Quarry.Documents;
using Xunit.Abstractions;

namespace Quarry.Storage.Sqlite.Tests;

/// <summary>The audit trail as the server composes it (observer, writer, store) on a real SQLite file, fed with
/// hand-built request facts: what reaches the store, the drain on a clean stop, and fail-open counting.</summary>
public sealed class AuditTrailTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static CancellationToken Ct => CancellationToken.None;
    private readonly string _directory = SqliteTestStore.NewDirectory();
    private ServiceProvider _services = null!;

    public Task InitializeAsync()
    {
        _services = Build(null);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteTestStore.DeleteDirectory(_directory);
    }

    private ServiceProvider Build(IAuditStore? store, Action<AuditOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddQuarrySqliteStorage(o => o.DataDirectory = _directory);
        services.AddQuarryAudit(o =>
        {
            o.CheckpointKeyFile = Path.Combine(_directory, "audit-checkpoint.key");
            configure?.Invoke(o);
        });
        if (store is not null) services.AddSingleton(store);
        return services.BuildServiceProvider();
    }

    private static IHostedService Writer(IServiceProvider services) =>
        services.GetServices<IHostedService>().Single(s => s.GetType().Name == "AuditWriter");

    private static RequestFacts Facts(string tenant, int i)
    {
        var facts = new RequestFacts("ask")
        {
            Tenant = tenant,
            KeyId = "key_" + i,
            KnowledgeBases = ["docs"],
            Query = "question " + i,
            Model = "extractive",
            Grounded = true,
            Abstained = false,
            AnswerText = "answer " + i,
            StartedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).AddSeconds(i),
            TraceId = "trace" + i,
            Status = 200,
            LatencyMs = 10 + i,
        };
        facts.SetRetrieved([new RetrievedFact("chk_" + i, "doc_" + i, 1, 0.5)]);
        facts.SetCited([new CitedFact("chk_" + i, "doc_" + i, 0, 12)]);
        return facts;
    }

    [Fact]
    public async Task Observed_requests_are_written_as_one_chained_record_each_and_drained_on_a_clean_stop()
    {
        var writer = Writer(_services);
        await writer.StartAsync(Ct);
        var observer = _services.GetServices<IRequestObserver>().Single();
        for (var i = 0; i < 50; i++) observer.Completed(Facts(i % 2 == 0 ? "acme" : "globex", i));
        _services.GetRequiredService<IAuditTrail>().Record(new AuditEvent(new TenantId("acme"), AuditKinds.KeyRevoked, "key_x", "key_admin", null));
        await writer.StopAsync(Ct);
        ((BackgroundService)writer).ExecuteTask!.Exception.Should().BeNull();

        var store = _services.GetRequiredService<IAuditStore>();
        var acme = await store.ReadChainAsync(new TenantId("acme"), 0, 100, Ct);
        acme.Should().HaveCount(26);
        acme[0].Should().BeEquivalentTo(new
        {
            Route = "ask",
            KeyId = "key_0",
            Question = "question 0",
            AnswerText = "answer 0",
            TraceId = "trace0",
            Retrieved = new[] { new AuditRetrieved("chk_0", "doc_0", 1) },
            Cited = new[] { new AuditCited("chk_0", "doc_0", 0, 12) },
        });
        acme[^1].Should().Match<AuditRecord>(r => r.Route == AuditKinds.KeyRevoked && r.Subject == "key_x");
        (await store.ReadChainAsync(new TenantId("globex"), 0, 100, Ct)).Should().HaveCount(25);
        (await AuditVerifier.VerifyAsync(store, new TenantId("acme"), null, Ct)).Ok.Should().BeTrue();
    }

    [Fact]
    public async Task A_failing_store_is_counted_as_audit_write_failures_total_and_fail_closed_reports_failing()
    {
        long failures = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == QuarryTelemetry.Name && instrument.Name == "audit_write_failures_total") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref failures, value));
        listener.Start();

        await using var services = Build(new FailingStore(), o => o.FailureMode = AuditFailureMode.Closed);
        var writer = Writer(services);
        await writer.StartAsync(Ct);
        services.GetServices<IRequestObserver>().Single().Completed(Facts("acme", 1));
        var status = services.GetRequiredService<IAuditStatus>();
        for (var i = 0; i < 200 && !status.IsFailing; i++) await Task.Delay(20);
        status.IsFailing.Should().BeTrue();
        await writer.StopAsync(Ct);

        Interlocked.Read(ref failures).Should().BeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task Measure_audit_write_latency_over_2000_records()
    {
        var delays = new List<double>();
        var appends = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == QuarryTelemetry.Name && instrument.Name.StartsWith("quarry.audit.", StringComparison.Ordinal)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            lock (delays) (instrument.Name == "quarry.audit.commit_delay" ? delays : appends).Add(value);
        });
        listener.Start();

        var writer = Writer(_services);
        await writer.StartAsync(Ct);
        var observer = _services.GetServices<IRequestObserver>().Single();
        var enqueue = Stopwatch.StartNew();
        // Requests arrive spread out, as under load: 20 bursts of 100.
        for (var burst = 0; burst < 20; burst++)
        {
            for (var i = 0; i < 100; i++) observer.Completed(Facts("acme", burst * 100 + i));
            await Task.Delay(5);
        }
        var enqueueMs = enqueue.Elapsed.TotalMilliseconds;
        await writer.StopAsync(Ct);

        lock (delays)
        {
            delays.Should().HaveCount(2000);
            output.WriteLine($"commit delay (enqueue → committed) ms: p50 {P(delays, 0.5):F2} p95 {P(delays, 0.95):F2} max {delays.Max():F2}");
            output.WriteLine($"batch append ms: batches {appends.Count} p50 {P(appends, 0.5):F2} p95 {P(appends, 0.95):F2}; records/batch {2000.0 / appends.Count:F1}");
            output.WriteLine($"enqueue side (2000 Completed calls incl. 20×5 ms pauses): {enqueueMs:F1} ms");
        }
        (await AuditVerifier.VerifyAsync(_services.GetRequiredService<IAuditStore>(), new TenantId("acme"), null, Ct)).Checked.Should().Be(2000);
    }

    private static double P(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(q * sorted.Count))];
    }

    /// <summary>A store whose disk is gone: every append throws.</summary>
    private sealed class FailingStore : IAuditStore
    {
        public Task<IReadOnlyList<AuditRecord>> AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken) =>
            throw new IOException("disk full");
        public Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<AuditRecord?> GetAsync(TenantId tenant, string id, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<AuditRecord>> ReadChainAsync(TenantId tenant, long afterSequence, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<AuditChainState> GetChainStateAsync(TenantId tenant, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<TenantId>> ListTenantsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<int> PurgeAsync(TenantId tenant, DateTimeOffset before, Func<AuditCheckpoint, string> sign, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
