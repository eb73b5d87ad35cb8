using System.Diagnostics;
using System.Net;
using Quarry.Server.Tests.TestSupport;
using Xunit.Abstractions;

namespace Quarry.Server.Tests.Deploy;

/// <summary>
/// What the container runs, without Docker: publish.sh's output, started as an unprivileged user (nobody, when the
/// tests run as root; the image uses uid 1654) from a read-only application folder, with the only writable path the
/// data folder elsewhere and a setting read from a secret file. It migrates, becomes ready, ingests and answers.
/// </summary>
public sealed class PublishedImageTests(PublishedOutput image, ITestOutputHelper output) : IClassFixture<PublishedOutput>
{
    private static readonly bool IsRoot = Environment.UserName == "root";
    private static readonly string[] AsNobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"];

    [Fact]
    public async Task Published_output_runs_unprivileged_from_a_read_only_folder_and_answers()
    {
        var data = Path.Combine(image.Root, "data");
        Directory.CreateDirectory(data);
        if (IsRoot) await RunAsync("chown", "nobody:nogroup", data);
        var secret = Path.Combine(image.Root, "auth-mode");
        await File.WriteAllTextAsync(secret, "Development\n");
        var appFiles = Directory.EnumerateFileSystemEntries(image.App, "*", SearchOption.AllDirectories).Order().ToList();
        var runAs = IsRoot ? AsNobody : [];
        output.WriteLine(IsRoot ? "running as nobody (tests run as root)" : $"running as {Environment.UserName} (not root: no user switch)");

        var migrate = await RunAsync([.. runAs, "dotnet", image.Assembly, "migrate", "--data", data]);
        migrate.Should().Contain("Schema is up to date");

        await using var server = new ServerProcess(data) { CliAssembly = image.Assembly, RunAs = runAs }
            .With("QUARRY_Auth__Mode_FILE", secret);
        await server.StartAsync();
        if (IsRoot)
        {
            var status = await File.ReadAllLinesAsync($"/proc/{server.ProcessId}/status");
            status.Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1].Should().Be("65534", "the server runs as nobody");
        }
        // Development mode came from the secret file: no key is needed.
        var client = server.Client();
        (await client.GetAsync("/readyz")).StatusCode.Should().Be(HttpStatusCode.OK, server.Output);
        await client.CreateKnowledgeBaseAsync("handbook");
        await client.IngestAsync("handbook", "travel.md",
            "# Travel policy\n\nTaxis are refunded up to 40 euros per ride when no public transport runs.\n\n## Hotels\n\nHotels are booked through the travel desk.\n");
        var answer = await (await client.PostJsonAsync("/v1/ask", new { question = "How much are taxis refunded per ride?", knowledgeBase = "handbook" }))
            .JsonAsync(HttpStatusCode.OK);
        answer.GetProperty("abstained").GetBoolean().Should().BeFalse(answer.ToString());
        answer.GetProperty("text").GetString().Should().Contain("40 euros");

        Directory.EnumerateFileSystemEntries(image.App, "*", SearchOption.AllDirectories).Order().Should().Equal(appFiles, "nothing is written beside the binaries");
        Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories).Should().NotBeEmpty("everything the server writes is in the data folder");
    }

    private static async Task<string> RunAsync(params string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in command.Skip(1)) start.ArgumentList.Add(arg);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("QUARRY_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(key);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        process.ExitCode.Should().Be(0, $"{string.Join(' ', command)}\n{await stdout}\n{await stderr}");
        return await stdout;
    }
}
