using Quarry.Cli.Tests.TestSupport;
using Quarry.Models.OpenAI.Tests;

namespace Quarry.Cli.Tests;

/// <summary>
/// `quarry ingest` with an embedder stores the documents first (searchable by keyword), then embeds them with a progress
/// line; `--no-vectors` leaves them keyword-only until a later run fills the vectors.
/// </summary>
public sealed class IngestVectorsCommandTests : IAsyncDisposable
{
    private readonly QuarryProcess _quarry = new();
    private readonly FakeEmbeddingServer _server = new(dimension: 8);

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _quarry.Dispose();
    }

    [Fact]
    public async Task No_vectors_stores_keyword_searchable_documents_and_a_later_ingest_fills_their_vectors()
    {
        var dir = Path.Combine(_quarry.WorkDirectory, "kb");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "refunds.md"), "# Refund policy\n\nRefunds are paid within 14 days of receiving the returned item.\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "shipping.md"), "# Shipping\n\nParcels ship within two working days.\n");
        _quarry
            .WithEnvironment("QUARRY_Models__Embeddings__Provider", "openai")
            .WithEnvironment("QUARRY_Models__Embeddings__OpenAI__Endpoint", _server.Endpoint.ToString())
            .WithEnvironment("QUARRY_Models__Embeddings__OpenAI__Model", "small")
            .WithEnvironment("QUARRY_Models__Embeddings__OpenAI__Dimensions", "8")
            .WithEnvironment("QUARRY_Models__Embeddings__OpenAI__MaxRetries", "0");

        var stored = await _quarry.RunAsync("ingest", dir, "--kb", "help", "--no-vectors", "--json");

        stored.ExitCode.Should().Be(0, stored.ToString());
        var chunks = stored.Json.GetProperty("chunks").GetInt32();
        _server.Requests.Should().BeEmpty("nothing is embedded with --no-vectors");
        var keyword = await _quarry.RunAsync("search", "refunds", "--kb", "help", "--json");
        keyword.Json.GetProperty("mode").GetString().Should().Be("keyword");
        keyword.Json.GetProperty("results").GetArrayLength().Should().BeGreaterThan(0);
        var before = (await _quarry.RunAsync("kb", "list", "--json")).Json[0].GetProperty("vectors");
        (before.GetProperty("embedded").GetInt32(), before.GetProperty("chunks").GetInt32()).Should().Be((0, chunks));

        var filled = await _quarry.RunAsync("ingest", dir, "--kb", "help", "--json");

        filled.ExitCode.Should().Be(0, filled.ToString());
        filled.Json.GetProperty("unchanged").GetInt32().Should().Be(2);
        filled.Json.GetProperty("vectors").GetProperty("embedded").GetInt32().Should().Be(chunks);
        filled.Json.GetProperty("vectors").GetProperty("missing").GetInt32().Should().Be(0);
        filled.Stderr.Should().Contain($"{chunks}/{chunks} chunks");
        (await _quarry.RunAsync("search", "refunds", "--kb", "help", "--json")).Json.GetProperty("mode").GetString().Should().Be("hybrid");
        var after = (await _quarry.RunAsync("kb", "list", "--json")).Json[0].GetProperty("vectors");
        after.GetProperty("embedded").GetInt32().Should().Be(chunks);
    }
}
