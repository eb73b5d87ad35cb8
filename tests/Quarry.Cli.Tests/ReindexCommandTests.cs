using Quarry.Cli.Tests.TestSupport;
using Quarry.Models.OpenAI.Tests;

namespace Quarry.Cli.Tests;

/// <summary>
/// Switching the embedding model from the command line, against a loopback server speaking OpenAI's /v1/embeddings:
/// searches never compare two models, `quarry reindex` builds the new vectors beside the old, resumes after a
/// failure, and switches in one step.
/// </summary>
public sealed class ReindexCommandTests : IAsyncDisposable
{
    private readonly QuarryProcess _quarry = new();
    private readonly FakeEmbeddingServer _server = new(dimension: 8);

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _quarry.Dispose();
    }

    private QuarryProcess UseModel(string model, int dimensions) => _quarry
        .WithEnvironment("QUARRY_Models__Embeddings__Provider", "openai")
        .WithEnvironment("QUARRY_Models__Embeddings__OpenAI__Endpoint", _server.Endpoint.ToString())
        .WithEnvironment("QUARRY_Models__Embeddings__OpenAI__Model", model)
        .WithEnvironment("QUARRY_Models__Embeddings__OpenAI__Dimensions", dimensions.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .WithEnvironment("QUARRY_Models__Embeddings__OpenAI__MaxRetries", "0");

    [Fact]
    public async Task A_new_model_is_used_only_after_reindex_which_resumes_after_a_failure()
    {
        var dir = Path.Combine(_quarry.WorkDirectory, "kb");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "refunds.md"), "# Refund policy\n\nRefunds are paid within 14 days of receiving the returned item.\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "shipping.md"), "# Shipping\n\nParcels ship within two working days.\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "gifts.md"), "# Gift cards\n\nGift cards cannot be refunded.\n");
        var ingest = await UseModel("small", 8).RunAsync("ingest", dir, "--kb", "help", "--json");
        ingest.ExitCode.Should().Be(0, ingest.ToString());
        var chunks = ingest.Json.GetProperty("chunks").GetInt32();
        (await _quarry.RunAsync("search", "refunds", "--kb", "help", "--json")).Json.GetProperty("mode").GetString().Should().Be("hybrid");

        var mismatch = await UseModel("large", 16).RunAsync("search", "refunds", "--kb", "help", "--json");
        mismatch.ExitCode.Should().Be(0, mismatch.ToString());
        mismatch.Json.GetProperty("mode").GetString().Should().Be("keyword");
        mismatch.Json.GetProperty("degraded").GetString().Should().Contain("openai:small@8 (8 dimensions)")
            .And.Contain("openai:large@16 (16 dimensions)").And.Contain("quarry reindex --kb help");

        // One chunk per step; the provider refuses the second step.
        _quarry.WithEnvironment("QUARRY_Reindex__BatchSize", "1");
        _server.Then(Reply.Ok).Then(Reply.Status(400, message: "model is loading"));
        var failed = await _quarry.RunAsync("reindex", "--kb", "help", "--json");
        failed.ExitCode.Should().Be(3, failed.ToString());
        failed.Stderr.Should().Contain("model is loading").And.Contain("Run the same command again to resume");
        (await _quarry.RunAsync("search", "refunds", "--kb", "help", "--json")).Json.GetProperty("mode").GetString().Should().Be("keyword");

        var requestsBefore = _server.Requests.Count;
        var resumed = await _quarry.RunAsync("reindex", "--kb", "help", "--json");

        resumed.ExitCode.Should().Be(0, resumed.ToString());
        var report = resumed.Json;
        report.GetProperty("previousModel").GetString().Should().Be("openai:small@8");
        report.GetProperty("model").GetString().Should().Be("openai:large@16");
        report.GetProperty("chunks").GetInt32().Should().Be(chunks);
        report.GetProperty("alreadyEmbedded").GetInt32().Should().Be(1);
        report.GetProperty("embedded").GetInt32().Should().Be(chunks - 1);
        report.GetProperty("droppedVectors").GetInt32().Should().Be(chunks);
        _server.Requests.Skip(requestsBefore).SelectMany(r => r.Inputs).Should().HaveCount(chunks - 1, "the stored chunk is not sent again");

        var hybrid = await _quarry.RunAsync("search", "refunds", "--kb", "help", "--json");
        hybrid.Json.GetProperty("mode").GetString().Should().Be("hybrid", hybrid.ToString());
        hybrid.Json.GetProperty("results")[0].GetProperty("vectorRank").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Number);
        var kb = (await _quarry.RunAsync("kb", "list", "--json")).Json[0];
        kb.GetProperty("embeddingModel").GetString().Should().Be("openai:large@16");
        kb.GetProperty("embeddingsIncomplete").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task Without_an_embedder_reindex_says_what_to_configure()
    {
        var result = await _quarry.RunAsync("reindex", "--kb", "default");

        result.ExitCode.Should().Be(2);
        result.Stderr.Should().Contain("QUARRY_Models__Embeddings__Provider");
    }
}
