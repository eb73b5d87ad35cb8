using System.Diagnostics;
using System.Net;
using Quarry.Core.Tests.TestSupport;
using Quarry.Server.Tests.TestSupport;
using Xunit.Abstractions;

namespace Quarry.Server.Tests.Deploy;

/// <summary>
/// SIGTERM (what Kubernetes and <c>docker stop</c> send) during ingestion: the server stops claiming jobs, lets the
/// running one finish within the drain time or releases it, and exits cleanly within the shutdown budget; after a
/// restart every upload is stored exactly once.
/// </summary>
public sealed class GracefulShutdownTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _files = Directory.CreateTempSubdirectory("quarry-term-files-").FullName;

    public void Dispose() => Directory.Delete(_files, recursive: true);

    /// <summary>Drain 0: the running job is released at once. Drain 20 s: it finishes before the process exits.</summary>
    [SharedDataTheory]
    [InlineData("00:00:00", true)]
    [InlineData("00:00:20", false)]
    public async Task Sigterm_during_ingestion_exits_within_the_grace_period_and_loses_nothing(string drain, bool expectRelease)
    {
        var names = LargeDocuments.Write(_files, count: 5, share: 2);
        await using var server = new ServerProcess()
            .With("QUARRY_Server__Workers__Count", "1")
            .With("QUARRY_Ingestion__Parallelism", "1")
            // A lease far longer than the test waits: only a released job can be taken again at once after restart.
            .With("QUARRY_Server__Workers__Lease", "00:10:00")
            .With("QUARRY_Server__Shutdown__DrainTimeout", drain)
            .With("QUARRY_Server__Shutdown__Timeout", "00:00:25");
        var key = await server.CreateKeyAsync("default", "admin");
        await server.StartAsync();
        var client = server.Client(key);
        await client.CreateKnowledgeBaseAsync("docs");
        var jobs = new List<string>();
        foreach (var name in names)
        {
            var accepted = await (await client.UploadFileAsync("docs", name, await File.ReadAllBytesAsync(Path.Combine(_files, name))))
                .JsonAsync(HttpStatusCode.Accepted);
            jobs.Add(accepted.GetProperty("jobId").GetString()!);
        }
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
        {
            // One document done and the next one under way: SIGTERM lands mid-ingestion (the worker claims the next
            // job a moment after finishing one, so "one succeeded" alone could fall into that gap).
            while (true)
            {
                var statuses = (await client.ListJobsAsync()).Select(j => j.GetProperty("status").GetString()).ToList();
                if (statuses.Contains("succeeded") && statuses.Contains("running")) break;
                await Task.Delay(20, wait.Token);
            }
        }

        var clock = Stopwatch.StartNew();
        // Kubernetes' default terminationGracePeriodSeconds: after it, SIGKILL.
        var exitCode = await server.TerminateAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"exit {exitCode} {clock.Elapsed.TotalSeconds:F2} s after SIGTERM (drain {drain}, budget 25 s)");
        exitCode.Should().Be(0, server.Output);
        var released = server.Output.Contains("released for another worker", StringComparison.Ordinal);
        output.WriteLine(released ? "the running job was released" : "the running job finished within the drain time");
        released.Should().Be(expectRelease, server.Output);

        await server.StartAsync();
        client = server.Client(key);
        foreach (var job in jobs)
        {
            // With a 10-minute lease, a job left claimed but not released would not finish within this wait.
            (await client.WaitForJobAsync(job, TimeSpan.FromSeconds(120))).GetProperty("status").GetString().Should().Be("succeeded", server.Output);
        }
        var page = await (await client.GetAsync("/v1/knowledge-bases/docs/documents?limit=100")).JsonAsync(HttpStatusCode.OK);
        page.GetProperty("total").GetInt32().Should().Be(names.Count);
        page.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("sourceUri").GetString()!.Split('/')[^1]).Should().BeEquivalentTo(names);
        page.GetProperty("items").EnumerateArray().Should().OnlyContain(d => d.GetProperty("version").GetInt32() == 1, "nothing was stored twice");
    }


}
