using System.Diagnostics;
using System.Text.Json;

namespace Quarry.Server.Tests.Mcp;

/// <summary>Runs client.mjs, the official MCP TypeScript SDK client, with a plan (transport and tool calls) and
/// returns what it printed. Installs the client's pinned packages on first use.</summary>
internal static class McpClient
{
    private static readonly Lazy<Task<string>> Directory = new(PrepareAsync);

    public static async Task<JsonElement> RunAsync(object plan)
    {
        var directory = await Directory.Value;
        var (code, stdout, stderr) = await RunProcessAsync("node", ["client.mjs", JsonSerializer.Serialize(plan)], directory);
        code.Should().Be(0, stderr);
        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        last.Should().NotBeNull($"the client printed nothing; stderr: {stderr}");
        using var json = JsonDocument.Parse(last!);
        return json.RootElement.Clone();
    }

    private static async Task<string> PrepareAsync()
    {
        // Test binaries run from artifacts/bin/…; the client sits in the source tree beside this project.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Quarry.Server.Tests", "Mcp", "client");
            if (!File.Exists(Path.Combine(candidate, "package.json"))) continue;
            if (!System.IO.Directory.Exists(Path.Combine(candidate, "node_modules", "@modelcontextprotocol", "sdk")))
            {
                var (code, stdout, stderr) = await RunProcessAsync("npm", ["ci", "--no-audit", "--no-fund"], candidate);
                code.Should().Be(0, stderr + stdout);
            }
            return candidate;
        }
        throw new InvalidOperationException("tests/Quarry.Server.Tests/Mcp/client/package.json was not found above " + AppContext.BaseDirectory);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunProcessAsync(string program, IReadOnlyList<string> arguments, string directory)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return (process.ExitCode, await stdout, await stderr);
    }
}
