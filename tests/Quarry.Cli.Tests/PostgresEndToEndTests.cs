using Npgsql;
using Quarry.Cli.Tests.TestSupport;
using Quarry.Storage.Postgres.Tests.TestSupport;

namespace Quarry.Cli.Tests;

/// <summary>
/// The whole pipeline on the scale-out store, selected by configuration alone: PostgreSQL with pgvector (PGlite) holds
/// documents, the full-text index and vectors of a local embedding model; `quarry ingest`, `search` (hybrid: keyword
/// plus pgvector) and `ask` run against it.
/// </summary>
public sealed class PostgresEndToEndTests : IDisposable
{
    private readonly QuarryProcess _quarry = new();

    public void Dispose() => _quarry.Dispose();

    [Fact]
    public async Task Ingest_search_and_ask_run_on_postgres_with_pgvector()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(await PgliteServer.ConnectionStringAsync()) { MaxPoolSize = 1 }.ConnectionString;
        var model = Path.Combine(AppContext.BaseDirectory, "Fixtures", "bert-tiny-f32");
        // PGlite is one shared database: a tenant of its own keeps this run apart from anything else using it.
        var kb = "e2e-" + Guid.NewGuid().ToString("N")[..8];
        _quarry.WithEnvironment("QUARRY_Storage__Provider", "postgres")
            .WithEnvironment("QUARRY_Storage__Postgres__ConnectionString", connectionString)
            .WithEnvironment("QUARRY_Storage__Postgres__Pgvector", "Required");
        var dir = Path.Combine(_quarry.WorkDirectory, "kb");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "refunds.md"), "# Refund policy\n\nRefunds are paid within 14 days of receiving the returned item.\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "shipping.md"), "# Shipping\n\nParcels ship within two working days. Lost parcels are replaced.\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "hours.md"), "# Opening hours\n\nThe service desk opens at nine and closes at five.\n");

        var ingest = await _quarry.RunAsync("ingest", dir, "--kb", kb, "--model-path", model, "--json");
        ingest.ExitCode.Should().Be(0, ingest.ToString());
        File.Exists(Path.Combine(_quarry.DataDirectory, "quarry.db")).Should().BeFalse("with Storage:Provider=postgres no SQLite file is written");

        var search = await _quarry.RunAsync("search", "when are refunds paid", "--kb", kb, "--model-path", model, "--json");
        search.ExitCode.Should().Be(0, search.ToString());
        search.Json.GetProperty("mode").GetString().Should().Be("hybrid");
        var results = search.Json.GetProperty("results").EnumerateArray().ToList();
        results[0].GetProperty("title").GetString().Should().Be("Refund policy");
        results.Where(r => r.TryGetProperty("vectorRank", out var rank) && rank.GetInt32() >= 1).Should().HaveCount(3, "pgvector ranks every chunk of the knowledge base");

        var ask = await _quarry.RunAsync("ask", "When are refunds paid?", "--kb", kb, "--model-path", model, "--json");
        ask.ExitCode.Should().Be(0, ask.ToString());
        ask.Json.GetProperty("abstained").GetBoolean().Should().BeFalse(ask.ToString());
        var citation = ask.Json.GetProperty("citations")[0];
        citation.GetProperty("quote").GetString().Should().Contain("14 days");
        citation.GetProperty("title").GetString().Should().Be("Refund policy");

        // The vectors live in PostgreSQL, indexed by the model's HNSW index created when they were stored.
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var indexes = new NpgsqlCommand(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'embeddings' AND indexdef ILIKE '%USING hnsw%';", connection);
        ((long)(await indexes.ExecuteScalarAsync())!).Should().BeGreaterThanOrEqualTo(1);
    }
}
