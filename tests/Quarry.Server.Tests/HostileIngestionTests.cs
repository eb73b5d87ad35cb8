using System.Diagnostics;
using System.Net;
using System.Text;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>
/// Issue 13's "done when": with two workers, one tenant uploading pathological files cannot hold the other tenant's
/// small upload back. Tenant A's slow file is a PDF read by a stand-in <c>pdftotext</c> that never finishes (any parser
/// stuck on one file behaves alike); the job budget ends it. The budget is generous so that the heavy but valid files
/// (50k headings, a giant token) finish on a loaded CI machine. Ordering, not wall-clock thresholds, is asserted.
/// </summary>
public sealed class HostileIngestionTests : IAsyncLifetime
{
    private const long MemoryCeiling = 1024L * 1024 * 1024;
    private readonly string _tools = Directory.CreateTempSubdirectory("quarry-hostile-tools-").FullName;
    private ServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        var stuck = Path.Combine(_tools, "pdftotext");
        await File.WriteAllTextAsync(stuck, "#!/bin/sh\nexec sleep 600\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(stuck, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _server = new ServerProcess()
            .With("QUARRY_Server__Workers__Count", "2")
            .With("QUARRY_Server__Workers__PollInterval", "00:00:00.100")
            .With("QUARRY_Ingestion__JobTimeout", "00:00:15")
            .With("QUARRY_Models__Embeddings__Provider", "none")
            // The stand-in pdftotext never finishes: only the pdftotext engine runs it.
            .With("QUARRY_Parsing__PdfEngine", "PdfToText")
            .With("QUARRY_Parsing__PdfToTextPath", stuck)
            .With("QUARRY_Parsing__PdfTimeout", "00:10:00")
            .With("QUARRY_Parsing__MaxExtractedChars", "2000000");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_tools, recursive: true);
    }

    [Fact]
    public async Task A_tenants_pathological_files_neither_delay_another_tenants_upload_nor_exhaust_memory()
    {
        var alphaKey = await _server.CreateKeyAsync("alpha", "admin");
        var betaKey = await _server.CreateKeyAsync("beta", "admin");
        await _server.StartAsync();
        var alpha = _server.Client(alphaKey);
        var beta = _server.Client(betaKey);
        await alpha.CreateKnowledgeBaseAsync("hostile");
        await beta.CreateKnowledgeBaseAsync("docs");

        using var sampling = new CancellationTokenSource();
        var peak = SampleWorkingSet(_server.ProcessId!.Value, sampling.Token);

        var slow = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
        var hostile = new (string Name, byte[] Content, string Type, string Expected)[]
        {
            ("stuck.pdf", slow, "application/pdf", "timeout"),
            ("deep.md", PathologicalFiles.DeepMarkdown(levels: 5_000, lines: 200), "text/markdown", "too-large"),
            ("deep.html", PathologicalFiles.DeepHtml(levels: 100_000), "text/html", "too-large"),
            ("bomb.docx", PathologicalFiles.LowRatioDocx(paragraphs: 4_000),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "too-large"),
            ("headings.md", PathologicalFiles.ManyHeadings(50_000), "text/markdown", "succeeded"),
            ("token.txt", PathologicalFiles.GiantToken(1_500_000), "text/plain", "succeeded"),
        };
        var alphaJobs = new List<(string Id, string Expected, string Name)>();
        foreach (var (name, content, type, expected) in hostile)
        {
            var accepted = await (await alpha.UploadFileAsync("hostile", name, content, type)).JsonAsync(HttpStatusCode.Accepted);
            alphaJobs.Add((accepted.GetProperty("jobId").GetString()!, expected, name));
        }

        var small = await (await beta.UploadTextAsync("docs", "small.md", "# Small\n\nA small file from another tenant."))
            .JsonAsync(HttpStatusCode.Accepted);
        var smallJob = await beta.WaitForJobAsync(small.GetProperty("jobId").GetString()!, TimeSpan.FromSeconds(30));
        var alphaWhenSmallFinished = await Task.WhenAll(alphaJobs.Select(j => StatusAsync(alpha, j.Id)));

        smallJob.GetProperty("status").GetString().Should().Be("succeeded", smallJob.ToString());
        alphaWhenSmallFinished.Should().Contain(s => s == "queued" || s == "running",
            "tenant beta's job must not wait for all of tenant alpha's jobs: " + string.Join(", ", alphaWhenSmallFinished));

        foreach (var (id, expected, name) in alphaJobs)
        {
            var job = await alpha.WaitForJobAsync(id, TimeSpan.FromSeconds(60));
            if (expected == "succeeded")
                job.GetProperty("status").GetString().Should().Be("succeeded", $"{name}: {job}");
            else
            {
                job.GetProperty("status").GetString().Should().Be("failed", $"{name}: {job}");
                job.GetProperty("error").GetProperty("code").GetString().Should().Be(expected, $"{name}: {job}");
            }
        }

        await sampling.CancelAsync();
        (await peak).Should().BeLessThan(MemoryCeiling, "the server's working set must stay under 1 GB");
    }

    private static async Task<string> StatusAsync(HttpClient client, string jobId) =>
        (await (await client.GetAsync($"/v1/jobs/{jobId}")).JsonAsync(HttpStatusCode.OK)).GetProperty("status").GetString()!;

    private static Task<long> SampleWorkingSet(int processId, CancellationToken cancellationToken) => Task.Run(async () =>
    {
        using var process = Process.GetProcessById(processId);
        long peak = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            process.Refresh();
            peak = Math.Max(peak, process.WorkingSet64);
            await Task.Delay(50, CancellationToken.None);
        }
        return peak;
    });
}
