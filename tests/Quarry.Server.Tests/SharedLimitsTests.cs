using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Quarry.Server.Tests.TestSupport;
using Quarry.Storage.Postgres.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>Two API replicas on one PostgreSQL admit a tenant's rate once between them, not once each.</summary>
public sealed class SharedLimitsTests : IAsyncLifetime
{
    private readonly List<ServerProcess> _replicas = [];
    private string _database = "";

    public async Task InitializeAsync() => _database = await PostgresServer.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        foreach (var replica in _replicas) await replica.DisposeAsync();
        await PostgresServer.DropDatabaseAsync(_database);
    }

    [Fact]
    public async Task Two_replicas_share_one_bucket_per_tenant()
    {
        var environment = new Dictionary<string, string>
        {
            ["QUARRY_Storage__Provider"] = "postgres",
            ["QUARRY_Storage__Postgres__ConnectionString"] = _database,
            ["QUARRY_Server__Limits__Tenants__acme__RequestsPerSecond"] = "1",
            ["QUARRY_Server__Limits__Tenants__acme__Burst"] = "10",
        };
        for (var i = 0; i < 2; i++)
        {
            var replica = new ServerProcess();
            foreach (var (name, value) in environment) replica.With(name, value);
            _replicas.Add(replica);
        }
        var created = await CliProcess.RunAsync(_replicas[0].DataDirectory, environment, "keys", "create", "--tenant", "acme", "--role", "reader", "--json");
        created.ExitCode.Should().Be(0, created.ToString());
        var key = JsonDocument.Parse(created.Stdout).RootElement.GetProperty("key").GetString()!;
        foreach (var replica in _replicas)
        {
            await replica.StartAsync("--role", "api");
            using var probe = replica.Client();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while ((await probe.GetAsync("/readyz", wait.Token)).StatusCode != HttpStatusCode.OK) await Task.Delay(100, wait.Token);
        }

        var clients = _replicas.Select(r => r.Client(key)).ToArray();
        var clock = Stopwatch.StartNew();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 40; i++)
            statuses.Add((await clients[i % 2].GetAsync("/v1/knowledge-bases")).StatusCode);
        var seconds = clock.Elapsed.TotalSeconds;

        var admitted = statuses.Count(s => s == HttpStatusCode.OK);
        statuses.Should().OnlyContain(s => s == HttpStatusCode.OK || s == HttpStatusCode.TooManyRequests);
        // One bucket: the burst of 10 plus one token per elapsed second. Buckets per replica would admit 20 at once.
        admitted.Should().BeGreaterThanOrEqualTo(10).And.BeLessThanOrEqualTo(10 + (int)Math.Ceiling(seconds) + 1,
            $"{admitted} admitted in {seconds:F1} s; replica output:\n{_replicas[0].Output}");
    }
}
