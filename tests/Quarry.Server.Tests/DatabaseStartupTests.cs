using System.Net;
using Npgsql;
using Quarry.Server.Tests.TestSupport;
using Quarry.Storage.Postgres.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>Choosing the store by configuration, and a server whose PostgreSQL is not there yet at start-up.</summary>
public sealed class DatabaseStartupTests
{
    private const string Password = "not-to-be-logged-7f3a";

    [Fact]
    public async Task An_unknown_storage_provider_stops_start_up_with_the_choices()
    {
        var data = Directory.CreateTempSubdirectory("quarry-provider-").FullName;
        try
        {
            var result = await CliProcess.RunAsync(data, new Dictionary<string, string> { ["QUARRY_Storage__Provider"] = "mysql" },
                "serve", "--urls", "http://127.0.0.1:0", "--dev");

            result.ExitCode.Should().Be(2, result.ToString());
            result.Stderr.Should().Contain("Unknown Storage:Provider 'mysql'").And.Contain("'sqlite'").And.Contain("'postgres'");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task The_cli_says_in_one_sentence_that_the_database_cannot_be_reached()
    {
        var data = Directory.CreateTempSubdirectory("quarry-cli-pg-").FullName;
        try
        {
            var file = Path.Combine(data, "a.txt");
            await File.WriteAllTextAsync(file, "hello");
            var result = await CliProcess.RunAsync(data, new Dictionary<string, string>
            {
                ["QUARRY_Storage__Provider"] = "postgres",
                ["QUARRY_Storage__Postgres__ConnectionString"] = $"Host=127.0.0.1;Port={ClosedPort()};Database=quarry;Username=quarry;Password={Password};Timeout=3",
            }, "ingest", file);

            result.ExitCode.Should().Be(4, result.ToString());
            result.Stderr.Trim().Should().StartWith("error: cannot reach the database, PostgreSQL at 127.0.0.1:").And.Contain("/quarry");
            result.Stderr.Trim().Split('\n').Should().ContainSingle(result.ToString());
            result.Stderr.Should().NotContain(Password);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>The database does not exist when the server starts: it stays up, not ready, with a 503 for requests;
    /// once the database is created it becomes ready by itself.</summary>
    [Fact]
    public async Task A_server_started_before_its_database_exists_becomes_ready_when_it_appears()
    {
        var admin = await PostgresServer.CreateDatabaseAsync();
        var missing = new NpgsqlConnectionStringBuilder(admin) { Database = "quarry_late_" + Guid.NewGuid().ToString("N") };
        // The local test cluster trusts loopback and ignores a password; a configured server has its own.
        if (string.IsNullOrEmpty(missing.Password)) missing.Password = Password;
        await using var server = new ServerProcess()
            .With("QUARRY_Storage__Provider", "postgres")
            .With("QUARRY_Storage__Postgres__ConnectionString", missing.ConnectionString);
        try
        {
            await server.StartAsync("--dev");
            var client = server.Client();

            var notReady = await client.GetAsync("/readyz");
            notReady.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            (await notReady.Content.ReadAsStringAsync()).Should().Contain(missing.Database);
            var problem = await (await client.GetAsync("/v1/knowledge-bases")).ProblemAsync(HttpStatusCode.ServiceUnavailable, "store-unavailable");
            problem.GetProperty("detail").GetString().Should().Contain($"{missing.Host}:{missing.Port}/{missing.Database}");

            await using (var connection = new NpgsqlConnection(admin))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE {missing.Database} TEMPLATE template0 ENCODING 'UTF8';", connection);
                await create.ExecuteNonQueryAsync();
            }
            using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                while ((await client.GetAsync("/readyz", wait.Token)).StatusCode != HttpStatusCode.OK)
                    await Task.Delay(200, wait.Token);
            }
            (await client.GetAsync("/v1/knowledge-bases")).StatusCode.Should().Be(HttpStatusCode.OK);
            server.Output.Should().Contain($"{missing.Host}:{missing.Port}/{missing.Database}").And.NotContain(missing.Password);
        }
        finally
        {
            await server.KillAsync();
            await PostgresServer.DropDatabaseAsync(missing.ConnectionString);
            await PostgresServer.DropDatabaseAsync(admin);
        }
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
