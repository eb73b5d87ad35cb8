using Quarry.Cli.Tests.TestSupport;

namespace Quarry.Cli.Tests;

/// <summary>A built-in embedding model end to end, as a new user turns it on: one environment variable, no download.</summary>
public sealed class BuiltinModelCommandTests : IDisposable
{
    private readonly QuarryProcess _quarry = new();
    private readonly string _cache = Directory.CreateTempSubdirectory("quarry-cli-builtin-").FullName;

    public void Dispose()
    {
        _quarry.Dispose();
        Directory.Delete(_cache, recursive: true);
    }

    [Fact]
    public async Task Builtin_minilm_finds_by_meaning_what_keywords_cannot()
    {
        _quarry.WithEnvironment("QUARRY_MODELS", _cache).WithEnvironment("QUARRY_Models__Embeddings__Provider", "builtin:minilm");
        var dir = Path.Combine(_quarry.WorkDirectory, "kb");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "refunds.md"), "# Refund policy\n\nRefunds are paid within 14 days of receiving the returned item.\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "shipping.md"), "# Shipping\n\nParcels ship within two working days.\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "hours.md"), "# Opening hours\n\nThe desk opens at nine and closes at five.\n");
        var ingest = await _quarry.RunAsync("ingest", dir);
        ingest.ExitCode.Should().Be(0, ingest.ToString());

        // No word of the question is in the refund policy: only the vectors can find it.
        var search = await _quarry.RunAsync("search", "how soon will I get my money back", "--json");

        search.ExitCode.Should().Be(0, search.ToString());
        search.Json.GetProperty("mode").GetString().Should().Be("hybrid");
        var top = search.Json.GetProperty("results")[0];
        top.GetProperty("title").GetString().Should().Be("Refund policy", search.Stdout);
        top.GetProperty("vectorRank").GetInt32().Should().Be(1);
        var kbs = await _quarry.RunAsync("kb", "list");
        kbs.Stdout.Should().Contain("builtin:minilm (384)");
    }
}
