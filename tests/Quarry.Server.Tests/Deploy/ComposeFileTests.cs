using System.Globalization;
using System.Text.Json.Nodes;

namespace Quarry.Server.Tests.Deploy;

/// <summary>Validates deploy/compose with Debian's <c>docker-compose config</c> (no daemon needed) and checks the
/// resolved stack: services, health checks, start order and the wiring between them.</summary>
public sealed class ComposeFileTests
{
    private static readonly string[] QuarryServices = ["quarry-api-1", "quarry-api-2", "quarry-worker"];

    [ToolFact("docker-compose", "apt-get install docker-compose")]
    public async Task Compose_stack_is_valid_and_wired()
    {
        var (code, yaml, errors) = await DeployFiles.RunAsync(DeployFiles.Tool("docker-compose")!,
            "-f", DeployFiles.Path("compose", "docker-compose.yml"), "--env-file", DeployFiles.Path("compose", ".env.example"), "config");
        code.Should().Be(0, errors);
        var services = DeployFiles.ParseYamlStream(yaml).Single()["services"]!.AsObject();
        services.Select(s => s.Key).Should().Contain(QuarryServices.Concat(new[] { "quarry-migrate", "proxy", "postgres", "redis", "prometheus", "grafana" }));

        Str(services["postgres"]!["image"]).Should().StartWith("pgvector/pgvector:pg17");
        foreach (var name in new[] { "postgres", "redis", "proxy" })
            services[name]!["healthcheck"]!["test"].Should().NotBeNull($"{name} has a health check");

        foreach (var name in QuarryServices.Append("quarry-migrate"))
        {
            var service = services[name]!;
            var env = service["environment"]!;
            Str(env["QUARRY_Storage__Provider"]).Should().Be("postgres");
            Str(env["QUARRY_Storage__Postgres__ConnectionString"]).Should().Contain("Host=postgres").And.Contain("Password=change-me", "the password comes from .env");
            Str(service["depends_on"]!["postgres"]!["condition"]).Should().Be("service_healthy");
            Str(service["read_only"]).Should().Be("true");
            service["cap_drop"]!.AsArray().Select(Str).Should().Contain("ALL");
            service["volumes"]!.AsArray().Select(Str).Should().Contain(v => v!.Contains(":/data", StringComparison.Ordinal));
            var shutdown = TimeSpan.Parse(Str(env["QUARRY_Server__Shutdown__Timeout"])!, CultureInfo.InvariantCulture);
            Seconds(Str(service["stop_grace_period"])!).Should().BeGreaterThan(shutdown.TotalSeconds, "docker stops with SIGKILL after the grace period");
        }
        foreach (var name in QuarryServices)
            Str(services[name]!["depends_on"]!["quarry-migrate"]!["condition"]).Should().Be("service_completed_successfully");
        services["quarry-migrate"]!["command"]!.AsArray().Select(Str).Should().Equal("migrate");
        services["quarry-worker"]!["command"]!.AsArray().Select(Str).Should().ContainInOrder("--role", "worker");

        var nginx = await File.ReadAllTextAsync(DeployFiles.Path("compose", "nginx.conf"));
        nginx.Should().Contain("server quarry-api-1:8080").And.Contain("server quarry-api-2:8080");
        var prometheus = DeployFiles.ParseYamlStream(await File.ReadAllTextAsync(DeployFiles.Path("compose", "prometheus.yml"))).Single();
        var jobs = prometheus["scrape_configs"]!.AsArray();
        var targets = jobs.Where(j => Str(j!["metrics_path"]) == "/metrics")
            .SelectMany(j => j!["static_configs"]!.AsArray().SelectMany(c => c!["targets"]!.AsArray().Select(Str))).ToList();
        targets.Should().BeEquivalentTo(QuarryServices.Select(s => s + ":8080"));

        services["grafana"]!["volumes"]!.AsArray().Select(Str).Should()
            .Contain(v => v!.Contains("deploy/observability/grafana-dashboard.json", StringComparison.Ordinal));
        File.Exists(DeployFiles.Path("compose", "grafana", "provisioning", "dashboards", "quarry.yml")).Should().BeTrue();
    }

    private static string? Str(JsonNode? node) => node?.GetValue<string>();

    /// <summary>"30s", "1m30s" (compose durations) in seconds.</summary>
    private static double Seconds(string duration)
    {
        var total = 0.0;
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(duration, @"(\d+)(h|m|s)"))
            total += int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * (m.Groups[2].Value switch { "h" => 3600, "m" => 60, _ => 1 });
        return total;
    }
}
