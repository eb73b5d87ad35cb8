using Microsoft.Extensions.DependencyInjection;
using Quarry.Indexing;

namespace Quarry.Storage.Postgres.Tests.TestSupport;

[CollectionDefinition(Name)]
public sealed class PgvectorCollection : ICollectionFixture<PgvectorFixture>
{
    /// <summary>Tests on PGlite run one after another: it has a single backend whose session all connections share.</summary>
    public const string Name = "pgvector";
}

/// <summary>
/// The store and vector index as a host composes them (<see cref="PostgresStorageServiceCollectionExtensions.AddQuarryPostgresStorage"/>
/// then <see cref="PostgresVectorIndexServiceCollectionExtensions.AddQuarryPostgresVectorIndex"/>) on the pgvector test
/// server (<see cref="PgliteServer"/>), migrated once. Tests keep apart by tenant and model ids of their own.
/// </summary>
public sealed class PgvectorFixture : IAsyncLifetime
{
    private ServiceProvider? _services;

    public string ConnectionString { get; private set; } = "";

    public IServiceProvider Services => _services ?? throw new InvalidOperationException("Not initialized.");

    internal PostgresDatabase Database => Services.GetRequiredService<PostgresDatabase>();

    internal PostgresVectorIndex Index => (PostgresVectorIndex)Services.GetRequiredService<IVectorIndex>();

    public async Task InitializeAsync()
    {
        ConnectionString = await PgliteServer.ConnectionStringAsync();
        _services = Compose(ConnectionString);
        await Database.EnsureReadyAsync(CancellationToken.None);
        if (!Database.HasPgvector)
            throw new InvalidOperationException($"The pgvector test server {Database.Name} has no pgvector.");
    }

    public static ServiceProvider Compose(string connectionString, Action<PostgresStorageOptions>? configure = null, Action<IServiceCollection>? before = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddQuarryPostgresStorage(o =>
        {
            o.ConnectionString = connectionString;
            configure?.Invoke(o);
        });
        before?.Invoke(services);
        services.AddQuarryPostgresVectorIndex();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
            await _services.DisposeAsync();
    }
}
