using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Quarry.Storage.Sqlite;

/// <summary>
/// Applies the embedded <c>Migrations/NNNN_name.sql</c> scripts in order, each recorded in <c>schema_migrations</c>,
/// all inside one write transaction so that a failed migration leaves the file as it was.
/// </summary>
internal static class SqliteMigrator
{
    private const string ResourcePrefix = "Quarry.Storage.Sqlite.Migrations.";


    public static IReadOnlyList<MigrationScript> Known { get; } = MigrationScripts.Load(typeof(SqliteMigrator).Assembly, ResourcePrefix);

    public static int LatestVersion => Known[^1].Version;

    public static async Task MigrateAsync(SqliteConnection connection, string path, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        // journal_mode cannot change inside a transaction; it is persistent, so this is a no-op after the first run.
        await ExecuteAsync(connection, "PRAGMA journal_mode = WAL;", cancellationToken);

        await using var transaction = connection.BeginTransaction(deferred: false);
        await ExecuteAsync(connection,
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT;",
            cancellationToken);

        await using var current = connection.CreateCommand();
        current.CommandText = "SELECT coalesce(max(version), 0) FROM schema_migrations;";
        var version = Convert.ToInt32(await current.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        if (version > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The database '{path}' has schema version {version}, newer than the {LatestVersion} this version of Quarry knows. " +
                "Upgrade Quarry, or point it at another data directory.");
        }

        foreach (var migration in Known.Where(m => m.Version > version))
        {
            await ExecuteAsync(connection, migration.Sql, cancellationToken);
            await using var record = connection.CreateCommand();
            record.CommandText = "INSERT INTO schema_migrations (version, applied_at) VALUES ($version, $at);";
            record.Parameters.AddWithValue("$version", migration.Version);
            record.Parameters.AddWithValue("$at", UnixTime.ToMs(time.GetUtcNow()));
            await record.ExecuteNonQueryAsync(cancellationToken);
            Log.MigrationApplied(logger, migration.Version, migration.Name, path);
        }
        await transaction.CommitAsync(CancellationToken.None);
        Log.SchemaReady(logger, path, LatestVersion);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
