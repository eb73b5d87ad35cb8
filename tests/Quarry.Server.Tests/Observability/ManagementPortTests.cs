using System.Net;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests.Observability;

/// <summary>With <c>Observability:Metrics:Port</c> set, the scrape moves to its own port (with the probes) and the
/// service port no longer serves it; the API does not answer on the management port. The same server exports traces to
/// a collector that is down: requests are unaffected and the failed deliveries are counted.</summary>
public sealed class ManagementPortTests
{
    [Fact]
    public async Task Metrics_move_to_the_management_port_and_a_dead_collector_costs_requests_nothing()
    {
        var port = LoopbackHttpServer.FreePort();
        await using var server = new ServerProcess()
            .With("QUARRY_Observability__Metrics__Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With("OTEL_EXPORTER_OTLP_ENDPOINT", $"http://127.0.0.1:{LoopbackHttpServer.FreePort()}")
            .With("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
            .With("OTEL_BSP_SCHEDULE_DELAY", "100");
        await server.StartAsync("--dev");
        using var service = server.Client();
        using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        (await service.GetAsync("/v1/knowledge-bases")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await service.GetAsync("/metrics")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var scrape = await management.GetAsync("/metrics");
        scrape.StatusCode.Should().Be(HttpStatusCode.OK);
        (await scrape.Content.ReadAsStringAsync()).Should().Contain("ai_index_job_backlog");
        (await management.GetAsync("/healthz")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await management.GetAsync("/v1/knowledge-bases")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        for (var i = 0; i < 5; i++)
            (await service.PostJsonAsync("/v1/search", new { query = "anything" })).StatusCode.Should().Be(HttpStatusCode.OK);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        string text;
        do
        {
            await Task.Delay(200);
            text = await management.GetStringAsync("/metrics");
        }
        while (!text.Contains("quarry_trace_export_failures_total", StringComparison.Ordinal) && waited.Elapsed < TimeSpan.FromSeconds(30));
        MetricsTests.Series(text, "quarry_trace_export_failures_total").Sum(s => s.Value).Should().BeGreaterThan(0, "undelivered spans are counted");
    }
}
