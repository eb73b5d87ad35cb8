using Quarry.Cli.Tests.TestSupport;
using Quarry.Models.Local.Tests.Hub;

namespace Quarry.Cli.Tests;

/// <summary>`quarry models` and local models end to end, against a loopback Hugging Face hub serving fixture models.</summary>
public sealed class LocalModelCommandTests : IAsyncLifetime
{
    private const string Embedder = "quarry-tests/tiny-bert";
    private const string CrossEncoder = "quarry-tests/tiny-cross-encoder";
    private readonly QuarryProcess _quarry = new();
    private readonly FakeHub _hub = new();
    private readonly string _cache = Directory.CreateTempSubdirectory("quarry-cli-models-").FullName;

    public Task InitializeAsync()
    {
        _hub.AddRepository(Embedder, Path.Combine(AppContext.BaseDirectory, "Fixtures", "bert-tiny-f32"));
        _hub.AddRepository(CrossEncoder, Path.Combine(AppContext.BaseDirectory, "Fixtures", "cross-encoder-tiny-bf16"));
        _quarry.WithEnvironment("QUARRY_MODELS", _cache).WithEnvironment("QUARRY_Models__Hub__Endpoint", _hub.Endpoint.ToString());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _quarry.Dispose();
        Directory.Delete(_cache, recursive: true);
    }

    private async Task IngestAsync(params string[] options)
    {
        var dir = Path.Combine(_quarry.WorkDirectory, "kb");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "refunds.md"), "# Refund policy\n\nRefunds are paid within 14 days of receiving the returned item.\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "shipping.md"), "# Shipping\n\nParcels ship within two working days. Refunds for lost parcels are automatic.\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "hours.md"), "# Opening hours\n\nThe refund desk opens at nine.\n");
        var ingest = await _quarry.RunAsync(["ingest", dir, .. options]);
        ingest.ExitCode.Should().Be(0, ingest.ToString());
    }

    [Fact]
    public async Task Pull_downloads_verifies_and_lists_a_model()
    {
        var pull = await _quarry.RunAsync("models", "pull", Embedder, "--json");

        pull.ExitCode.Should().Be(0, pull.ToString());
        pull.Json.GetProperty("commit").GetString().Should().Be(FakeHub.Commit);
        pull.Json.GetProperty("files").EnumerateArray().Should().Contain(f => f.GetProperty("path").GetString() == "model.safetensors" && f.GetProperty("sha256").GetString()!.Length == 64);
        var list = await _quarry.RunAsync("models", "list", "--json");
        list.Json.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("model").GetString()).Should().Equal(Embedder);
    }

    [Fact]
    public async Task Configured_models_are_downloaded_on_first_use_and_search_embeds_and_reranks()
    {
        _quarry.WithEnvironment("QUARRY_Models__Embeddings__Provider", "local:" + Embedder)
            .WithEnvironment("QUARRY_Models__Reranker__Provider", "local:" + CrossEncoder);
        await IngestAsync();

        var search = await _quarry.RunAsync("search", "when are refunds paid", "--json", "--verbose");

        search.ExitCode.Should().Be(0, search.ToString());
        search.Json.GetProperty("mode").GetString().Should().Be("hybrid");
        search.Json.TryGetProperty("degraded", out _).Should().BeFalse(search.ToString());
        search.Json.GetProperty("results").EnumerateArray().Should().OnlyContain(r => r.GetProperty("rerankScore").ValueKind == System.Text.Json.JsonValueKind.Number);
        search.Stderr.Should().Contain("rerank");
        Directory.EnumerateFiles(_cache, ".quarry-model.json", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Should().HaveCount(2);
    }

    [Fact]
    public async Task Offline_with_no_model_search_says_so_and_runs_on_the_offline_default()
    {
        _quarry.WithEnvironment("QUARRY_Models__Hub__Endpoint", "http://127.0.0.1:9/")
            .WithEnvironment("QUARRY_Models__Embeddings__Provider", "local:BAAI/bge-small-en-v1.5");
        await IngestAsync();

        var search = await _quarry.RunAsync("search", "when are refunds paid", "--json");

        search.ExitCode.Should().Be(0, search.ToString());
        search.Json.GetProperty("mode").GetString().Should().Be("keyword");
        search.Json.GetProperty("results")[0].GetProperty("title").GetString().Should().Be("Refund policy");
        search.Stderr.Should().Contain("Cannot download BAAI/bge-small-en-v1.5").And.Contain("retrieval runs on the offline default");
    }

    [Fact]
    public async Task Model_path_points_at_a_local_folder()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "bert-tiny-f32");
        await IngestAsync("--model-path", folder);

        var search = await _quarry.RunAsync("search", "refunds", "--model-path", folder, "--json");

        search.ExitCode.Should().Be(0, search.ToString());
        search.Json.GetProperty("mode").GetString().Should().Be("hybrid");
        search.Json.GetProperty("results").EnumerateArray().Where(r => r.TryGetProperty("vectorRank", out var rank) && rank.GetInt32() >= 1).Should().NotBeEmpty();
    }
}
