using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Quarry.Storage.Postgres.Tests.TestSupport;

namespace Quarry.Storage.Postgres.Tests;

public sealed class MigrationTests
{
    [Fact]
    public async Task Replicas_starting_together_apply_each_migration_once()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        try
        {
            var replicas = Enumerable.Range(0, 6).Select(_ => PostgresTestStore.Open(connectionString, TimeProvider.System)).ToList();
            await Task.WhenAll(replicas.Select(r => Task.Run(() => r.Inner.Database.EnsureReadyAsync(CancellationToken.None))));

            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync();
                await using var applied = new NpgsqlCommand("SELECT version, count(*) OVER () FROM quarry_schema_migrations ORDER BY version;", connection);
                await using var reader = await applied.ExecuteReaderAsync();
                var versions = new List<int>();
                while (await reader.ReadAsync())
                    versions.Add(reader.GetInt32(0));
                versions.Should().Equal(Enumerable.Range(1, PostgresMigrator.LatestVersion));
            }
            foreach (var replica in replicas)
                await replica.DisposeAsync();
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task A_database_newer_than_this_build_is_refused_with_its_version()
    {
        await using var store = await PostgresTestStore.CreateAsync(TimeProvider.System);
        await store.Inner.Database.EnsureReadyAsync(CancellationToken.None);
        await using (var connection = new NpgsqlConnection(store.ConnectionString))
        {
            await connection.OpenAsync();
            await using var bump = new NpgsqlCommand("INSERT INTO quarry_schema_migrations (version, name) VALUES (999, 'future');", connection);
            await bump.ExecuteNonQueryAsync();
        }

        await using var newer = PostgresTestStore.Open(store.ConnectionString, TimeProvider.System);
        var start = () => newer.Inner.Database.EnsureReadyAsync(CancellationToken.None);
        await start.Should().ThrowAsync<InvalidOperationException>().WithMessage("*schema version 999*Upgrade*");
    }

    [Fact]
    public async Task Pgvector_required_on_a_server_without_it_names_the_reason()
    {
        if (Environment.GetEnvironmentVariable(PostgresServer.EnvironmentVariable) is { Length: > 0 })
            return; // A configured server may well have pgvector; this case is about Debian's PostgreSQL, which has not.
        await using var store = await PostgresTestStore.CreateAsync(TimeProvider.System, o => o.Pgvector = PgvectorMode.Required);
        var start = () => store.Inner.Database.EnsureReadyAsync(CancellationToken.None);
        await start.Should().ThrowAsync<InvalidOperationException>().WithMessage("*Pgvector is Required*not available*");

        await using var auto = PostgresTestStore.Open(store.ConnectionString, TimeProvider.System);
        await auto.Inner.Database.EnsureReadyAsync(CancellationToken.None);
        auto.Inner.Database.HasPgvector.Should().BeFalse();
    }

    [Fact]
    public async Task An_unreachable_server_fails_each_call_and_succeeds_once_it_is_up()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        try
        {
            // A database that does not exist yet stands for a server that is not ready: the failure is not cached.
            var missing = new NpgsqlConnectionStringBuilder(connectionString) { Database = "quarry_not_yet_" + Guid.NewGuid().ToString("N") };
            await using var early = PostgresTestStore.Open(missing.ConnectionString, TimeProvider.System);
            var start = () => early.Inner.Database.EnsureReadyAsync(CancellationToken.None);
            await start.Should().ThrowAsync<PostgresException>();

            await using (var admin = new NpgsqlConnection(connectionString))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE {missing.Database} TEMPLATE template0;", admin);
                await create.ExecuteNonQueryAsync();
            }
            await start.Should().NotThrowAsync();
            await early.DisposeAsync();
            await PostgresServer.DropDatabaseAsync(missing.ConnectionString);
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(connectionString);
        }
    }
}
