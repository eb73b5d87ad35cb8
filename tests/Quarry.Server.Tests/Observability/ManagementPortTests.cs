using System.Net;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests.Observability;

/// <summary>With <c>Observability:Metrics:Port</c> set, the scrape moves to its own port (with the probes) and the
/// service port no longer serves it; the API does not answer on the management port.</summary>
public sealed class ManagementPortTests
{
    [Fact]
    public async Task Metrics_move_to_the_management_port()
    {
        var port = LoopbackModels.FreePort();
        await using var server = new ServerProcess().With("QUARRY_Observability__Metrics__Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
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
    }
}
