using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests.Observability;

/// <summary>Debian's real Prometheus server, started on loopback, scrapes the running Quarry and answers a query for
/// one of its series through its HTTP API.</summary>
[Collection(ObservedCollection.Name)]
public sealed class PrometheusTests(ObservedServer fixture)
{
    [PrometheusFact]
    public async Task A_real_prometheus_scrapes_quarry_and_answers_a_query()
    {
        var directory = Directory.CreateTempSubdirectory("quarry-prometheus-");
        var port = LoopbackHttpServer.FreePort();
        var target = fixture.Server.BaseAddress;
        await File.WriteAllTextAsync(Path.Combine(directory.FullName, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: quarry
                metrics_path: /metrics
                static_configs:
                  - targets: ["{target.Host}:{target.Port}"]
            """);
        var start = new ProcessStartInfo(PrometheusFactAttribute.Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                "--config.file=" + Path.Combine(directory.FullName, "prometheus.yml"),
                "--storage.tsdb.path=" + Path.Combine(directory.FullName, "data"),
                $"--web.listen-address=127.0.0.1:{port}",
            },
        };
        using var prometheus = Process.Start(start)!;
        prometheus.BeginOutputReadLine();
        prometheus.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var query = Uri.EscapeDataString("ai_request_total{route=\"ask\"}");
            JsonElement result = default;
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (true)
            {
                deadline.Token.ThrowIfCancellationRequested();
                try
                {
                    var answer = await client.GetFromJsonAsync<JsonElement>($"/api/v1/query?query={query}", deadline.Token);
                    result = answer.GetProperty("data").GetProperty("result");
                    if (result.GetArrayLength() > 0) break;
                }
                catch (HttpRequestException)
                {
                    // Prometheus is still starting.
                }
                await Task.Delay(250, deadline.Token);
            }
            var series = result[0];
            series.GetProperty("metric").GetProperty("job").GetString().Should().Be("quarry");
            series.GetProperty("metric").GetProperty("tenant").GetString().Should().Be("default");
            series.GetProperty("metric").GetProperty("model").GetString().Should().Be(LoopbackModels.ChatModelId);
            double.Parse(series.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(2);
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync();
            directory.Delete(recursive: true);
        }
    }
}

/// <summary>A fact that is skipped, with the reason shown, when Debian's prometheus is not installed.</summary>
internal sealed class PrometheusFactAttribute : FactAttribute
{
    public const string Binary = "/usr/bin/prometheus";

    public PrometheusFactAttribute()
    {
        if (!File.Exists(Binary)) Skip = "prometheus not found at /usr/bin/prometheus: apt-get install prometheus (.ci/run does).";
    }
}
