using System.Net;
using System.Text;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>
/// Issue 13's per-job CPU budget (Ingestion:JobCpuBudget): a document whose parse and chunk spins, in process or in a
/// converter it runs, fails with <c>cpu-budget</c> long before the (generous) wall-clock limits, while a normal file
/// passes under the same budget. CPU, not elapsed time, is what ends them, so a loaded CI machine does not change the
/// outcome.
/// </summary>
public sealed class CpuBudgetTests : IAsyncLifetime
{
    private readonly string _tools = Directory.CreateTempSubdirectory("quarry-cpu-tools-").FullName;
    private ServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        // A stand-in tesseract that never ends and burns CPU the whole time.
        var spinning = Path.Combine(_tools, "tesseract");
        await File.WriteAllTextAsync(spinning, "#!/bin/sh\nwhile :; do :; done\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(spinning, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _server = new ServerProcess()
            .With("QUARRY_Ingestion__JobCpuBudget", "00:00:01")
            .With("QUARRY_Ingestion__JobTimeout", "00:10:00")
            .With("QUARRY_Parsing__Ocr__TesseractPath", spinning)
            .With("QUARRY_Parsing__Ocr__Timeout", "00:10:00")
            .With("QUARRY_Models__Embeddings__Provider", "none");
        await _server.StartAsync("--dev");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_tools, recursive: true);
    }

    [Fact]
    public async Task Spinning_parses_and_converters_fail_with_cpu_budget_while_a_normal_file_passes()
    {
        using var client = _server.Client();
        await client.CreateKnowledgeBaseAsync("docs");
        var png = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "ocr-sample.png"));

        (await StatusAsync(client, "small.md", Encoding.UTF8.GetBytes("# Small\n\nA normal file parses well within its CPU budget."), "text/markdown"))
            .Should().Be("succeeded");
        (await StatusAsync(client, "scan.png", png, "image/png")).Should().StartWith("failed cpu-budget:");
        (await StatusAsync(client, "big.txt", LargeText(20_000_000), "text/plain")).Should().StartWith("failed cpu-budget:");
    }

    private static async Task<string> StatusAsync(HttpClient client, string name, byte[] content, string type)
    {
        var accepted = await (await client.UploadFileAsync("docs", name, content, type)).JsonAsync(HttpStatusCode.Accepted);
        var job = await client.WaitForJobAsync(accepted.GetProperty("jobId").GetString()!, TimeSpan.FromMinutes(2));
        var status = job.GetProperty("status").GetString();
        return job.TryGetProperty("error", out var error) && error.ValueKind == System.Text.Json.JsonValueKind.Object
            ? $"{status} {error.GetProperty("code").GetString()}: {error.GetProperty("message").GetString()}"
            : status!;
    }

    /// <summary>Valid prose, under every size limit, whose parse and chunk alone take several CPU seconds.</summary>
    private static byte[] LargeText(int bytes)
    {
        var random = new Random(5);
        var words = Enumerable.Range(0, 4000).Select(_ => new string([.. Enumerable.Range(0, random.Next(2, 10)).Select(_ => (char)('a' + random.Next(26)))])).ToArray();
        var sb = new StringBuilder(bytes + 1024);
        while (sb.Length < bytes)
        {
            for (var w = 0; w < 50; w++) sb.Append(words[random.Next(words.Length)]).Append(' ');
            sb.Append(".\n\n");
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
