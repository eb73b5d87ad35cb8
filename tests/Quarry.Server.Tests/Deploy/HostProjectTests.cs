using System.Text.Json;

namespace Quarry.Server.Tests.Deploy;

/// <summary>How the hosts are run and installed, read from MSBuild's evaluation of the projects (no build).</summary>
public sealed class HostProjectTests
{
    /// <summary>The Web SDK would run <c>dotnet run --project src/Quarry.Server</c> in the project folder, giving it a
    /// second ./quarry-data apart from the CLI's; both must run where the user stands.</summary>
    [Fact]
    public async Task Dotnet_run_of_either_host_uses_the_callers_directory()
    {
        foreach (var project in new[] { "src/Quarry.Server/Quarry.Server.csproj", "src/Quarry.Cli/Quarry.Cli.csproj" })
            (await PropertiesAsync(project, "RunWorkingDirectory"))["RunWorkingDirectory"].Should().BeEmpty(project);
    }

    [Fact]
    public async Task The_cli_packs_as_a_dotnet_tool_named_quarry()
    {
        var properties = await PropertiesAsync("src/Quarry.Cli/Quarry.Cli.csproj", "PackAsTool", "ToolCommandName", "PackageId");
        properties["PackAsTool"].Should().Be("true");
        properties["ToolCommandName"].Should().Be("quarry");
        properties["PackageId"].Should().Be("Quarry.Cli");
    }

    /// <summary>Two properties or more come back as JSON (one alone as its bare value): the project name is always asked too.</summary>
    private static async Task<Dictionary<string, string>> PropertiesAsync(string project, params string[] names)
    {
        var (code, stdout, stderr) = await DeployFiles.RunAsync("dotnet", ["msbuild", Path.Combine(DeployFiles.RepositoryRoot, project), .. names.Append("MSBuildProjectName").Select(n => "-getProperty:" + n)]);
        code.Should().Be(0, stderr);
        stdout.Should().StartWith("{", $"msbuild printed: {stdout}\n{stderr}");
        using var json = JsonDocument.Parse(stdout);
        return json.RootElement.GetProperty("Properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
    }
}
