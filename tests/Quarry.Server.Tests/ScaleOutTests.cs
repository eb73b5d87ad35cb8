using System.Net;
using System.Text;
using System.Text.Json;
using Npgsql;
using Quarry.Core.Tests.TestSupport;
using Quarry.Server.Tests.TestSupport;
using Quarry.Storage.Postgres.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>
/// Two API processes and two worker processes on one PostgreSQL: files uploaded concurrently through both APIs are
/// all ingested exactly once even though one worker is SIGKILLed while it holds a job (its lease expires and the other
/// worker resumes), with the chunk counts and search results of a single-process SQLite run of the same files.
/// </summary>
public sealed class ScaleOutTests : IAsyncLifetime
{
    private const string Kb = "docs";
    private readonly string _files = Directory.CreateTempSubdirectory("quarry-scale-files-").FullName;
    private readonly string _reference = Directory.CreateTempSubdirectory("quarry-scale-ref-").FullName;
    private readonly List<ServerProcess> _processes = [];
    private string _database = "";

    public async Task InitializeAsync() => _database = await PostgresServer.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
            await process.DisposeAsync();
        await PostgresServer.DropDatabaseAsync(_database);
        Directory.Delete(_files, recursive: true);
        // The SQLite server over the reference directory removes it when disposed.
        if (Directory.Exists(_reference)) Directory.Delete(_reference, recursive: true);
    }

    private async Task<ServerProcess> StartOnPostgresAsync(string role)
    {
        var process = new ServerProcess()
            .With("QUARRY_Storage__Provider", "postgres")
            .With("QUARRY_Storage__Postgres__ConnectionString", _database)
            .With("QUARRY_Server__Workers__Count", "2")
            .With("QUARRY_Server__Workers__Lease", "00:00:03")
            .With("QUARRY_Ingestion__Parallelism", "1");
        _processes.Add(process);
        await process.StartAsync("--role", role, "--dev");
        return process;
    }

    [SharedDataFact]
    public async Task Two_apis_and_two_workers_ingest_everything_once_when_a_worker_is_killed()
    {
        var names = WriteCorpus(fastApiFiles: 36, sciFactRecords: 20, largeFiles: 2);

        var apis = new[] { await StartOnPostgresAsync("api"), await StartOnPostgresAsync("api") };
        var workers = new[] { await StartOnPostgresAsync("worker"), await StartOnPostgresAsync("worker") };
        foreach (var process in apis.Concat(workers))
            await WaitReadyAsync(process);
        (await workers[0].Client().GetAsync("/v1/knowledge-bases")).StatusCode.Should().Be(HttpStatusCode.NotFound, "worker replicas serve only health endpoints");
        var clients = apis.Select(a => a.Client()).ToArray();
        await clients[0].CreateKnowledgeBaseAsync(Kb);

        // Upload through both APIs at once; the largest files first, so that they are running when the kill comes.
        var ordered = names.OrderByDescending(n => new FileInfo(Path.Combine(_files, n)).Length).ToList();
        var uploads = ordered.Select((name, i) => UploadAsync(clients[i % 2], name)).ToList();
        var jobs = (await Task.WhenAll(uploads)).ToDictionary(j => j.Name, j => j.JobId);

        // SIGKILL the first worker while it holds a job.
        var held = await WaitForJobHeldByAsync(workers[0], TimeSpan.FromSeconds(60));
        await workers[0].KillAsync();

        foreach (var (name, job) in jobs)
        {
            var done = await clients[1].WaitForJobAsync(job, TimeSpan.FromSeconds(90));
            done.GetProperty("status").GetString().Should().Be("succeeded", $"{name}: {done}\n{workers[1].Output}");
        }
        var resumed = await (await clients[0].GetAsync($"/v1/jobs/{held}")).JsonAsync(HttpStatusCode.OK);
        resumed.GetProperty("attempts").GetInt32().Should().BeGreaterThan(1, "the killed worker's job was claimed again after its lease expired");

        var page = await (await clients[1].GetAsync($"/v1/knowledge-bases/{Kb}/documents?limit=500")).JsonAsync(HttpStatusCode.OK);
        page.GetProperty("total").GetInt32().Should().Be(names.Count);
        var stored = page.GetProperty("items").EnumerateArray().Select(d => (
            Name: d.GetProperty("sourceUri").GetString()!.Split('/')[^1],
            Chunks: d.GetProperty("chunkCount").GetInt32(),
            Version: d.GetProperty("version").GetInt32())).ToList();
        stored.Select(s => s.Name).Should().OnlyHaveUniqueItems().And.BeEquivalentTo(names);
        stored.Should().OnlyContain(s => s.Version == 1, "every document is stored once, not replaced by a re-run");
        stored.ToDictionary(s => s.Name, s => s.Chunks).Should().BeEquivalentTo(await ReferenceChunkCountsAsync());
        (await CountAsync("SELECT count(*) FROM uploads")).Should().Be(0, "finished jobs remove their uploads from the database");

        await using var sqlite = new ServerProcess(_reference);
        await sqlite.StartAsync("--dev");
        foreach (var query in Queries())
        {
            var onPostgres = await SearchAsync(clients[0], query);
            var onSqlite = await SearchAsync(sqlite.Client(), query);
            onPostgres.Should().NotBeEmpty(query);
            onPostgres[0].Should().Be(onSqlite[0], $"the best document for '{query}' is the same on both stores");
            // The keyword engines differ (FTS5 BM25 vs ts_rank_cd, and which terms must match), so the lists may differ
            // in length and tail; the leading documents of the shorter list are all in the other.
            var (shorter, longer) = onPostgres.Count <= onSqlite.Count ? (onPostgres, onSqlite) : (onSqlite, onPostgres);
            shorter.Take(3).Should().BeSubsetOf(longer, $"'{query}': postgres {string.Join(", ", onPostgres)}; sqlite {string.Join(", ", onSqlite)}");
        }
    }

    private static async Task WaitReadyAsync(ServerProcess process)
    {
        using var client = process.Client();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while ((await client.GetAsync("/readyz", wait.Token)).StatusCode != HttpStatusCode.OK)
            await Task.Delay(100, wait.Token);
    }

    private async Task<(string Name, string JobId)> UploadAsync(HttpClient client, string name)
    {
        var contentType = name.EndsWith(".md", StringComparison.Ordinal) ? "text/markdown" : "text/plain";
        var response = await client.UploadFileAsync(Kb, name, await File.ReadAllBytesAsync(Path.Combine(_files, name)), contentType);
        var accepted = await response.JsonAsync(HttpStatusCode.Accepted);
        return (name, accepted.GetProperty("jobId").GetString()!);
    }

    /// <summary>The id of a job that <paramref name="worker"/> holds right now, read from the queue table (worker ids
    /// are <c>machine:pid:n</c>).</summary>
    private async Task<string> WaitForJobHeldByAsync(ServerProcess worker, TimeSpan timeout)
    {
        var owner = $"{Environment.MachineName}:{worker.ProcessId}:%";
        using var wait = new CancellationTokenSource(timeout);
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync(wait.Token);
        while (true)
        {
            await using var held = new NpgsqlCommand("SELECT id FROM ingestion_jobs WHERE status = 'running' AND lease_owner LIKE @owner LIMIT 1;", connection);
            held.Parameters.AddWithValue("owner", owner);
            if (await held.ExecuteScalarAsync(wait.Token) is string id) return id;
            await Task.Delay(5, wait.Token);
        }
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand(sql, connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static async Task<List<string>> SearchAsync(HttpClient client, string query)
    {
        var response = await (await client.PostJsonAsync("/v1/search", new { query, knowledgeBase = Kb, topK = 10 })).JsonAsync(HttpStatusCode.OK);
        return response.GetProperty("results").EnumerateArray()
            .Select(r => r.GetProperty("sourceUri").GetString()!.Split('/')[^1]).Distinct().ToList();
    }

    private IEnumerable<string> Queries() =>
    [
        "dependency injection with yield",
        "OAuth2 password flow with JWT tokens",
        "background tasks after returning a response",
        .. Directory.EnumerateFiles(_files, "scifact-*.txt").Order(StringComparer.Ordinal).Take(2)
            .Select(f => File.ReadLines(f).First()),
    ];

    /// <summary>FastAPI docs pages, SciFact abstracts as text files, and a few large concatenations of the other pages
    /// (slow enough to ingest that the kill lands while one is running).</summary>
    private List<string> WriteCorpus(int fastApiFiles, int sciFactRecords, int largeFiles)
    {
        var names = new List<string>();
        var pages = Directory.EnumerateFiles(SharedData.Path("datasets", "kb-fastapi-docs", "docs"), "*.md", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal).ToList();
        foreach (var page in pages.Take(fastApiFiles))
        {
            // Flattened names keep upload and CLI source URIs comparable by their last segment.
            var name = Path.GetRelativePath(SharedData.Path("datasets", "kb-fastapi-docs", "docs"), page).Replace('/', '-');
            File.Copy(page, Path.Combine(_files, name));
            names.Add(name);
        }
        foreach (var line in File.ReadLines(SharedData.Path("datasets", "scifact", "corpus.jsonl")).Take(sciFactRecords))
        {
            using var record = JsonDocument.Parse(line);
            var id = record.RootElement.GetProperty("_id").GetString()!;
            var name = $"scifact-{id}.txt";
            File.WriteAllText(Path.Combine(_files, name),
                record.RootElement.GetProperty("title").GetString() + "\n\n" + record.RootElement.GetProperty("text").GetString());
            names.Add(name);
        }
        // The pages not uploaded on their own, so that no text is stored twice (ties would rank arbitrarily).
        var rest = pages.Skip(fastApiFiles).ToList();
        for (var i = 0; i < largeFiles; i++)
        {
            var text = new StringBuilder($"# Collection {i}\n\n");
            foreach (var page in rest.Where((_, p) => p % largeFiles == i))
                text.Append(File.ReadAllText(page)).Append("\n\n");
            var name = $"collection-{i}.md";
            File.WriteAllText(Path.Combine(_files, name), text.ToString());
            names.Add(name);
        }
        return names;
    }

    /// <summary>Chunk counts from a plain single-process `quarry ingest` of the same files into SQLite.</summary>
    private async Task<Dictionary<string, int>> ReferenceChunkCountsAsync()
    {
        var ingest = await CliProcess.RunAsync(_reference, "ingest", _files, "--kb", Kb, "--json");
        ingest.ExitCode.Should().Be(0, ingest.ToString());
        var list = await CliProcess.RunAsync(_reference, "docs", "list", "--kb", Kb, "--limit", "500", "--json");
        list.ExitCode.Should().Be(0, list.ToString());
        using var json = JsonDocument.Parse(list.Stdout);
        return json.RootElement.GetProperty("items").EnumerateArray().ToDictionary(
            d => d.GetProperty("sourceUri").GetString()!.Split('/')[^1], d => d.GetProperty("chunks").GetInt32());
    }
}
