using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Quarry.Server.Tests.Observability;

/// <summary>The dashboard and alert rules under deploy/observability load as they are: promtool accepts the rules,
/// and every series they query is one the running server exports (or one only counted when its fault happens).</summary>
[Collection(ObservedCollection.Name)]
public sealed partial class DeployArtefactTests(ObservedServer fixture)
{
    private static readonly string[] OnlyOnFaults = ["audit_write_failures_total", "quarry_trace_export_failures_total", "quarry_generate_fallbacks_total", "quarry_generate_retries_total"];

    [Fact]
    public async Task Dashboard_and_alerts_query_only_series_the_server_exports()
    {
        var folder = Path.Combine(RepositoryRoot(), "deploy", "observability");
        using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "grafana-dashboard.json")));
        var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToList();
        expressions.Should().NotBeEmpty();
        expressions.AddRange(ExprLine().Matches(await File.ReadAllTextAsync(Path.Combine(folder, "alerts.yml"))).Select(m => m.Groups[1].Value));

        var scraped = (await fixture.ScrapeAsync()).Split('\n').Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l.Split('{', ' ')[0]).ToHashSet(StringComparer.Ordinal);
        var queried = expressions.SelectMany(e => SeriesName().Matches(e).Select(m => m.Value))
            .Where(n => n.Contains('_', StringComparison.Ordinal) && !PromQlWords.Contains(n)).ToHashSet(StringComparer.Ordinal);
        queried.Should().NotBeEmpty();
        queried.Except(scraped).Except(OnlyOnFaults).Should().BeEmpty("every queried series must exist under that exact name");
    }

    [PrometheusFact]
    public async Task Promtool_accepts_the_alert_rules()
    {
        var start = new ProcessStartInfo("/usr/bin/promtool") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("check");
        start.ArgumentList.Add("rules");
        start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "deploy", "observability", "alerts.yml"));
        using var promtool = Process.Start(start)!;
        var output = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync();
        promtool.ExitCode.Should().Be(0, output);
    }

    private static readonly HashSet<string> PromQlWords = new(StringComparer.Ordinal) { "histogram_quantile", "clamp_min", "label_values" };

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Quarry.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException("Quarry.slnx not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\b[a-z][a-z0-9_]*_(?:total|bucket|count|sum|seconds_count|backlog|ms_bucket)\b|\bai_[a-z_]+\b")]
    private static partial Regex SeriesName();

    [GeneratedRegex(@"expr:\s*\|?\s*\n?((?:.|\n)*?)(?=\n\s+(?:for|labels):)")]
    private static partial Regex ExprLine();
}
