using System.Net;
using System.Text.Json;
using Quarry.Core.Tests.TestSupport;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>
/// A server killed (SIGKILL) while ingesting resumes after a restart: every uploaded document ends up stored exactly
/// once, with the chunk count a plain CLI ingest of the same files gives, and jobs finished before the kill are not run again.
/// </summary>
public sealed class KillAndResumeTests : IDisposable
{
    private readonly string _files = Directory.CreateTempSubdirectory("quarry-kill-files-").FullName;
    private readonly string _reference = Directory.CreateTempSubdirectory("quarry-kill-ref-").FullName;

    public void Dispose()
    {
        Directory.Delete(_files, recursive: true);
        Directory.Delete(_reference, recursive: true);
    }

    [SharedDataFact]
    public async Task Killing_the_server_during_ingestion_loses_and_duplicates_nothing()
    {
        var names = LargeDocuments.Write(_files, count: 6, share: 4);

        await using var server = new ServerProcess()
            .With("QUARRY_Server__Workers__Count", "1")
            .With("QUARRY_Server__Workers__Lease", "00:00:02")
            .With("QUARRY_Ingestion__Parallelism", "1");
        var key = await server.CreateKeyAsync("default", "admin");
        await server.StartAsync();
        var client = server.Client(key);
        await client.CreateKnowledgeBaseAsync("docs");

        var jobs = new Dictionary<string, string>();
        foreach (var name in names)
        {
            var accepted = await (await client.UploadFileAsync("docs", name, await File.ReadAllBytesAsync(Path.Combine(_files, name))))
                .JsonAsync(HttpStatusCode.Accepted);
            jobs[name] = accepted.GetProperty("jobId").GetString()!;
        }

        // Kill as soon as the first job is done, while the others are running or queued.
        IReadOnlyList<JsonElement> beforeKill;
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
        {
            while (true)
            {
                beforeKill = await client.ListJobsAsync();
                if (beforeKill.Any(j => j.GetProperty("status").GetString() == "succeeded")) break;
                await Task.Delay(20, wait.Token);
            }
        }
        await server.KillAsync();
        var finishedBefore = beforeKill.Where(j => j.GetProperty("status").GetString() == "succeeded")
            .ToDictionary(j => j.GetProperty("id").GetString()!, j => j.GetProperty("updatedAt").GetString());
        finishedBefore.Count.Should().BeLessThan(names.Count, "the kill must happen while jobs are still unfinished");

        await server.StartAsync();
        client = server.Client(key);
        foreach (var job in jobs.Values)
            (await client.WaitForJobAsync(job, TimeSpan.FromSeconds(120))).GetProperty("status").GetString().Should().Be("succeeded", server.Output);

        var after = await client.ListJobsAsync();
        foreach (var (id, updatedAt) in finishedBefore)
        {
            var job = after.Single(j => j.GetProperty("id").GetString() == id);
            job.GetProperty("updatedAt").GetString().Should().Be(updatedAt, "a finished job is never processed again");
            job.GetProperty("attempts").GetInt32().Should().Be(1);
        }
        after.Should().Contain(j => j.GetProperty("attempts").GetInt32() > 1 || !finishedBefore.ContainsKey(j.GetProperty("id").GetString()!));

        var page = await (await client.GetAsync("/v1/knowledge-bases/docs/documents?limit=100")).JsonAsync(HttpStatusCode.OK);
        page.GetProperty("total").GetInt32().Should().Be(names.Count);
        var stored = page.GetProperty("items").EnumerateArray().ToDictionary(
            d => d.GetProperty("sourceUri").GetString()!.Split('/')[^1], d => (Chunks: d.GetProperty("chunkCount").GetInt32(), Version: d.GetProperty("version").GetInt32()));
        stored.Keys.Should().BeEquivalentTo(names);
        stored.Values.Should().OnlyContain(d => d.Version == 1);

        var expected = await ReferenceChunkCountsAsync();
        stored.ToDictionary(s => s.Key, s => s.Value.Chunks).Should().BeEquivalentTo(expected);
        Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "uploads")).Should().BeEmpty("finished jobs remove their uploads");
    }



    /// <summary>Chunk counts from a plain `quarry ingest` of the same files (no server, no kill).</summary>
    private async Task<Dictionary<string, int>> ReferenceChunkCountsAsync()
    {
        var ingest = await CliProcess.RunAsync(_reference, "ingest", _files, "--json");
        ingest.ExitCode.Should().Be(0, ingest.ToString());
        var list = await CliProcess.RunAsync(_reference, "docs", "list", "--json");
        using var json = JsonDocument.Parse(list.Stdout);
        return json.RootElement.GetProperty("items").EnumerateArray().ToDictionary(
            d => d.GetProperty("sourceUri").GetString()!.Split('/')[^1], d => d.GetProperty("chunks").GetInt32());
    }
}
