using Quarry.Cli.Tests.TestSupport;

namespace Quarry.Cli.Tests;

public sealed class KnowledgeBaseAndDocsCommandTests : IDisposable
{
    private readonly QuarryProcess _quarry = new();

    public void Dispose() => _quarry.Dispose();

    [Fact]
    public async Task Knowledge_bases_can_be_created_listed_and_deleted()
    {
        (await _quarry.RunAsync("kb", "create", "handbook")).ExitCode.Should().Be(0);
        var duplicate = await _quarry.RunAsync("kb", "create", "handbook");
        duplicate.ExitCode.Should().Be(1);
        duplicate.Stderr.Should().Contain("handbook");
        (await _quarry.RunAsync("kb", "create", "bad name!")).ExitCode.Should().Be(2);

        var file = Path.Combine(_quarry.WorkDirectory, "x.md");
        await File.WriteAllTextAsync(file, "# X\n\nSome text.");
        (await _quarry.RunAsync("ingest", file, "--kb", "handbook")).ExitCode.Should().Be(0);

        var list = (await _quarry.RunAsync("kb", "list", "--json")).Json;
        list.EnumerateArray().Should().ContainSingle(k => k.GetProperty("name").GetString() == "handbook")
            .Which.GetProperty("documents").GetInt32().Should().Be(1);

        var refused = await _quarry.RunAsync("kb", "delete", "handbook");
        refused.ExitCode.Should().Be(2, "a knowledge base with documents needs --yes");
        (await _quarry.RunAsync("kb", "delete", "handbook", "--yes")).ExitCode.Should().Be(0);
        (await _quarry.RunAsync("docs", "list", "--json")).Json.GetProperty("total").GetInt32().Should().Be(0);
        (await _quarry.RunAsync("kb", "delete", "handbook")).ExitCode.Should().Be(1);
    }

    [Fact]
    public async Task Documents_can_be_shown_and_deleted()
    {
        var file = Path.Combine(_quarry.WorkDirectory, "guide.md");
        await File.WriteAllTextAsync(file, "# Guide\n\n## Install\n\nRun the installer.\n\n## Use\n\nOpen the app.\n");
        (await _quarry.RunAsync("ingest", file)).ExitCode.Should().Be(0);
        var id = (await _quarry.RunAsync("docs", "list", "--json")).Json.GetProperty("items")[0].GetProperty("id").GetString()!;

        var show = await _quarry.RunAsync("docs", "show", id);
        show.ExitCode.Should().Be(0, show.ToString());
        show.Stdout.Should().Contain("Guide").And.Contain("Install");

        (await _quarry.RunAsync("docs", "delete", id)).ExitCode.Should().Be(0);
        (await _quarry.RunAsync("docs", "show", id)).ExitCode.Should().Be(1);
        (await _quarry.RunAsync("docs", "delete", id)).ExitCode.Should().Be(1);
    }
}
