using Quarry.Storage.Compliance;
using Quarry.Storage.Postgres.Tests.TestSupport;

namespace Quarry.Storage.Postgres.Tests;

/// <summary>The embedding cache of two replicas on one PostgreSQL database. The cache's own contract is checked in
/// <see cref="PostgresEmbeddingCacheComplianceTests"/>.</summary>
public sealed class PostgresEmbeddingCacheTests : IAsyncLifetime
{
    private string _connectionString = null!;

    public async Task InitializeAsync() => _connectionString = await PostgresServer.CreateDatabaseAsync();

    public Task DisposeAsync() => PostgresServer.DropDatabaseAsync(_connectionString);

    [Fact]
    public Task Re_embedding_the_same_texts_from_another_replica_calls_the_model_zero_times() =>
        EmbeddingCacheReuse.SecondHostCallsTheModelZeroTimesAsync(
            services => services.AddQuarryPostgresStorage(o => o.ConnectionString = _connectionString),
            "every vector now comes from the database");
}
