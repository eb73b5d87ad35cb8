using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Quarry.Documents;
using Quarry.Indexing;
using Quarry.Retrieval;
using Quarry.Storage.Postgres.Tests.TestSupport;

namespace Quarry.Storage.Postgres.Tests;

/// <summary>Without pgvector, searches go to the vector index registered before the PostgreSQL one (in a host, the
/// in-process index fed by the change feed), and nothing of pgvector is touched.</summary>
public sealed class PgvectorFallbackTests
{
    /// <summary>The registration a host makes before <c>AddQuarryPostgresVectorIndex</c>; answers with a known hit.</summary>
    private sealed class InProcessIndex : IVectorIndex
    {
        public List<VectorSearchRequest> Requests { get; } = [];

        public Task<IReadOnlyList<VectorHit>> SearchAsync(VectorSearchRequest request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return Task.FromResult<IReadOnlyList<VectorHit>>([new VectorHit(new ChunkId("in-process"), new DocumentId("doc"), 0.5)]);
        }
    }

    private static async Task AssertDelegatesAsync(string connectionString, Action<PostgresStorageOptions>? configure)
    {
        var inProcess = new InProcessIndex();
        await using var services = PgvectorFixture.Compose(connectionString, configure, s => s.AddSingleton<IVectorIndex>(inProcess));
        var index = services.GetRequiredService<IVectorIndex>();
        index.Should().BeOfType<PostgresVectorIndex>();
        var request = new VectorSearchRequest(new float[] { 1, 2, 3 }, "fallback-" + Guid.NewGuid().ToString("N"), SearchFilter.ForTenant(new TenantId("t")), 3);

        var hits = await index.SearchAsync(request, CancellationToken.None);

        services.GetRequiredService<PostgresDatabase>().HasPgvector.Should().BeFalse();
        hits.Should().ContainSingle().Which.ChunkId.Value.Should().Be("in-process");
        inProcess.Requests.Should().Equal(request);
        await using var connection = await services.GetRequiredService<PostgresDatabase>().OpenAsync(CancellationToken.None);
        await using var created = new NpgsqlCommand("SELECT count(*) FROM pg_indexes WHERE indexname = @name;", connection);
        created.Parameters.AddWithValue("name", PgvectorIndexes.IndexName(request.Model, 3));
        ((long)(await created.ExecuteScalarAsync())!).Should().Be(0);
    }

    [Fact]
    public async Task On_a_server_without_pgvector_the_in_process_index_answers()
    {
        if (Environment.GetEnvironmentVariable(PostgresServer.EnvironmentVariable) is { Length: > 0 })
            return; // A configured server may well have pgvector; this case is about Debian's PostgreSQL, which has not.
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        try
        {
            await AssertDelegatesAsync(connectionString, configure: null);
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task Without_a_fallback_registered_a_search_says_what_is_missing()
    {
        if (Environment.GetEnvironmentVariable(PostgresServer.EnvironmentVariable) is { Length: > 0 })
            return;
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        try
        {
            await using var services = PgvectorFixture.Compose(connectionString);
            var search = () => services.GetRequiredService<IVectorIndex>().SearchAsync(
                new VectorSearchRequest(new float[] { 1 }, "m", SearchFilter.ForTenant(new TenantId("t")), 1), CancellationToken.None);
            await search.Should().ThrowAsync<InvalidOperationException>().WithMessage("*pgvector is not available*AddQuarryVectorIndex*");
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(connectionString);
        }
    }

    [Collection(PgvectorCollection.Name)]
    public sealed class WhenSwitchedOff(PgvectorFixture fixture)
    {
        [Fact]
        public Task Pgvector_off_uses_the_in_process_index_even_where_pgvector_is_installed() =>
            AssertDelegatesAsync(fixture.ConnectionString, o => o.Pgvector = PgvectorMode.Off);
    }
}
