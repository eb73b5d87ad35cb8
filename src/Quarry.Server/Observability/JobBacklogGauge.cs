using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quarry.Diagnostics;
using Quarry.Ingestion;

namespace Quarry.Server.Observability;

/// <summary>
/// <c>ai_index_job_backlog{topic}</c>: queued + running ingestion jobs of the whole queue (every replica reads the same
/// shared queue, so every replica reports the same value; aggregate with max, not sum). A gauge's callback runs on
/// the scrape and must not wait on a database, so the count is read in the background and the scrape reports the last reading.
/// </summary>
internal sealed class JobBacklogGauge : BackgroundService
{
    private readonly IServiceProvider _services;
    private readonly TimeSpan _interval;
    private readonly ILogger<JobBacklogGauge> _logger;
    private readonly TimeProvider _time;
    private long _backlog = -1;

    public JobBacklogGauge(IServiceProvider services, IOptions<ObservabilityOptions> options, TimeProvider time, ILogger<JobBacklogGauge> logger)
    {
        _services = services;
        _interval = options.Value.BacklogInterval;
        _time = time;
        _logger = logger;
        QuarryTelemetry.Meter.CreateObservableGauge("ai_index_job_backlog", Observe, description: "Queued and running ingestion jobs.");
    }

    private IEnumerable<Measurement<long>> Observe()
    {
        var backlog = Interlocked.Read(ref _backlog);
        if (backlog < 0) yield break;
        yield return new Measurement<long>(backlog, new KeyValuePair<string, object?>(AiMetrics.Tags.Topic, "ingestion"));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var source = _services.GetService<IJobBacklog>();
        if (source is null) return;
        using var timer = new PeriodicTimer(_interval, _time);
        do
        {
            try
            {
                var backlog = await source.GetBacklogAsync(stoppingToken);
                Interlocked.Exchange(ref _backlog, backlog.Queued + backlog.Running);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The store may not be reachable yet (readiness reports that); the gauge keeps its last reading.
                ObservabilityLog.BacklogUnavailable(_logger, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
