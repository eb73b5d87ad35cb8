using Npgsql;
using Quarry.Server.Tests.TestSupport;
using Quarry.Storage.Postgres.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>Upload files that no job refers to (left by a crash between saving and enqueuing) are swept at start-up;
/// recent ones are left alone, as another process may be about to enqueue their job.</summary>
public sealed class OrphanUploadTests
{
    [Fact]
    public async Task Old_upload_files_without_a_job_are_removed_at_start_up()
    {
        await using var server = new ServerProcess();
        var uploads = Directory.CreateDirectory(Path.Combine(server.DataDirectory, "uploads")).FullName;
        var orphan = Path.Combine(uploads, "0123456789abcdef0123456789abcdef");
        var recent = Path.Combine(uploads, "fedcba9876543210fedcba9876543210");
        await File.WriteAllTextAsync(orphan, "left behind by a crash");
        await File.WriteAllTextAsync(recent, "being enqueued right now");
        File.SetLastWriteTimeUtc(orphan, TimeProvider.System.GetUtcNow().UtcDateTime.AddHours(-2));

        await server.CreateKeyAsync("alpha", "admin");
        await server.StartAsync();

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (File.Exists(orphan)) await Task.Delay(50, wait.Token);
        File.Exists(recent).Should().BeTrue();
    }

    [Fact]
    public async Task Old_rows_of_the_shared_uploads_table_without_a_job_are_removed_at_start_up_on_postgres()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        try
        {
            // A first start creates the schema; the rows then stand for a replica that crashed around an upload.
            await using (var first = OnPostgres(database))
            {
                await first.StartAsync("--dev");
                // Listening comes before the migrations are applied.
                using var migrated = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                while (!await UploadsTableExistsAsync(database)) await Task.Delay(100, migrated.Token);
            }
            await ExecuteAsync(database, """
                INSERT INTO uploads (name, content, size_bytes, created_at) VALUES
                    ('0123456789abcdef0123456789abcdef', '\x010203', 3, now() - interval '2 hours'),
                    ('fedcba9876543210fedcba9876543210', '\x040506', 3, now());
                """);

            await using var server = OnPostgres(database);
            await server.StartAsync("--dev");

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (await CountAsync(database, "0123456789abcdef0123456789abcdef") > 0) await Task.Delay(100, wait.Token);
            (await CountAsync(database, "fedcba9876543210fedcba9876543210")).Should().Be(1, "a recent upload may be about to get its job");
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(database);
        }
    }

    private static ServerProcess OnPostgres(string database) => new ServerProcess()
        .With("QUARRY_Storage__Provider", "postgres")
        .With("QUARRY_Storage__Postgres__ConnectionString", database);

    private static async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<bool> UploadsTableExistsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT to_regclass('uploads') IS NOT NULL;", connection);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<long> CountAsync(string database, string name)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM uploads WHERE name = @name;", connection);
        command.Parameters.AddWithValue("name", name);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
