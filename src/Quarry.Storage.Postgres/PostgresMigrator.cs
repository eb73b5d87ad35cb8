using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Quarry.Storage.Postgres;

/// <summary>
/// Applies the embedded <c>Migrations/NNNN_name.sql</c> scripts in order, each in its own transaction and recorded in
/// <c>quarry_schema_migrations</c>. Replicas starting together serialize on a session advisory lock: the first applies
/// the scripts, the others wait and then find nothing left to do.
/// </summary>
internal static class PostgresMigrator
{
    /// <summary>Advisory lock key: "quarry" in ASCII, so other applications' keys are unlikely to collide.</summary>
    private const long MigrationLockKey = 0x717561727279;

    private const string ResourcePrefix = "Quarry.Storage.Postgres.Migrations.";


    public static IReadOnlyList<MigrationScript> Known { get; } = MigrationScripts.Load(typeof(PostgresMigrator).Assembly, ResourcePrefix);

    public static int LatestVersion => Known[^1].Version;

    /// <returns>Whether pgvector is installed in the database and <paramref name="pgvector"/> allows using it.</returns>
    public static async Task<bool> MigrateAsync(
        NpgsqlConnection connection, string database, PgvectorMode pgvector, ILogger logger, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({MigrationLockKey});", cancellationToken);
        try
        {
            await ExecuteAsync(connection,
                "CREATE TABLE IF NOT EXISTS quarry_schema_migrations (version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());",
                cancellationToken);
            await using (var current = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM quarry_schema_migrations;", connection))
            {
                var version = Convert.ToInt32(await current.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
                if (version > LatestVersion)
                {
                    throw new InvalidOperationException(
                        $"The database {database} has Quarry schema version {version}, newer than the {LatestVersion} this version of Quarry knows. " +
                        "Upgrade this replica, or point it at another database.");
                }
                foreach (var migration in Known.Where(m => m.Version > version))
                {
                    await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                    await ExecuteAsync(connection, migration.Sql, cancellationToken);
                    await using var record = new NpgsqlCommand("INSERT INTO quarry_schema_migrations (version, name) VALUES ($1, $2);", connection);
                    record.Parameters.AddWithValue(migration.Version);
                    record.Parameters.AddWithValue(migration.Name);
                    await record.ExecuteNonQueryAsync(cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                    Log.MigrationApplied(logger, migration.Version, migration.Name, database);
                }
            }
            var hasPgvector = await EnsurePgvectorAsync(connection, database, pgvector, logger, cancellationToken);
            Log.SchemaReady(logger, database, LatestVersion, hasPgvector ? "on" : "off");
            return hasPgvector;
        }
        finally
        {
            // Released explicitly: the pooled connection (and a session lock with it) outlives this call.
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({MigrationLockKey});", CancellationToken.None);
        }
    }

    private static async Task<bool> EnsurePgvectorAsync(
        NpgsqlConnection connection, string database, PgvectorMode mode, ILogger logger, CancellationToken cancellationToken)
    {
        if (mode == PgvectorMode.Off)
            return false;
        string? reason = null;
        await using (var available = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector');", connection))
        {
            if (!(bool)(await available.ExecuteScalarAsync(cancellationToken))!)
                reason = "the server does not have the extension";
        }
        if (reason is null)
        {
            try
            {
                await ExecuteAsync(connection, "CREATE EXTENSION IF NOT EXISTS vector;", cancellationToken);
                connection.ReloadTypes();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                reason = "this role may not create it; run CREATE EXTENSION vector as an owner";
            }
        }
        if (reason is null)
            return true;
        if (mode == PgvectorMode.Required)
            throw new InvalidOperationException($"Storage:Postgres:Pgvector is Required but pgvector is not available on {database}: {reason}.");
        Log.PgvectorUnavailable(logger, database, reason);
        return false;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
