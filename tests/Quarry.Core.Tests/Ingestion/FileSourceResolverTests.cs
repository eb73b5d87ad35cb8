using Microsoft.Extensions.Options;
using Quarry.Ingestion;

namespace Quarry.Core.Tests.Ingestion;

public sealed class FileSourceResolverTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("quarry-resolver-").FullName;
    private readonly string _outside = Directory.CreateTempSubdirectory("quarry-outside-").FullName;
    private readonly FileSourceResolver _resolver = new(Options.Create(new IngestionOptions()));

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_outside, recursive: true);
    }

    private string Write(string relative, string content = "hello")
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Walks_a_directory_recursively_in_stable_order_and_skips_hidden_entries()
    {
        Write("b.md");
        Write("a/c.txt");
        Write(".git/config");
        Write("a/.hidden.md");

        var resolved = _resolver.Resolve([_root]);

        resolved.Failures.Should().BeEmpty();
        resolved.Sources.Select(s => s.FileName).Should().Equal("c.txt", "b.md");
        resolved.Sources.Should().OnlyContain(s => s.SourceUri.StartsWith("file:///", StringComparison.Ordinal));
    }

    [Fact]
    public void A_symlink_that_leaves_the_root_is_refused_but_the_rest_is_kept()
    {
        Write("inside.md");
        var secret = Path.Combine(_outside, "secret.txt");
        File.WriteAllText(secret, "not yours");
        File.CreateSymbolicLink(Path.Combine(_root, "escape.txt"), secret);
        Directory.CreateSymbolicLink(Path.Combine(_root, "linked-dir"), _outside);

        var resolved = _resolver.Resolve([_root]);

        resolved.Sources.Select(s => s.FileName).Should().Equal("inside.md");
        resolved.Failures.Should().HaveCount(2).And.OnlyContain(f => f.Reason == "path-outside-root");
    }

    [Fact]
    public void A_symlink_inside_the_root_is_followed()
    {
        var target = Write("docs/real.md");
        File.CreateSymbolicLink(Path.Combine(_root, "alias.md"), target);

        var resolved = _resolver.Resolve([_root]);

        resolved.Failures.Should().BeEmpty();
        // Both names point at one file: it is ingested once, under its real path.
        resolved.Sources.Should().ContainSingle().Which.SourceUri.Should().EndWith("docs/real.md");
    }

    [Fact]
    public void Globs_match_relative_to_their_base_folder()
    {
        Write("docs/a.md");
        Write("docs/deep/b.md");
        Write("docs/c.txt");

        var resolved = _resolver.Resolve(["docs/**/*.md"], _root);

        resolved.Sources.Select(s => s.FileName).Should().BeEquivalentTo("a.md", "b.md");
        resolved.Failures.Should().BeEmpty();
    }

    [Fact]
    public void Missing_paths_and_empty_globs_are_reported()
    {
        var resolved = _resolver.Resolve(["nope.md", "docs/*.pdf"], _root);

        resolved.Sources.Should().BeEmpty();
        resolved.Failures.Should().HaveCount(2).And.OnlyContain(f => f.Reason == "not-found");
    }

    [Fact]
    public void RealPath_resolves_links_in_the_middle_of_a_path()
    {
        Directory.CreateDirectory(Path.Combine(_outside, "sub"));
        File.WriteAllText(Path.Combine(_outside, "sub", "f.txt"), "x");
        Directory.CreateSymbolicLink(Path.Combine(_root, "link"), _outside);

        FileSourceResolver.RealPath(Path.Combine(_root, "link", "sub", "f.txt"))
            .Should().Be(Path.Combine(FileSourceResolver.RealPath(_outside), "sub", "f.txt"));
    }

    [Theory]
    [InlineData("docs/**/*.md", "docs", "**/*.md")]
    [InlineData("*.md", "", "*.md")]
    [InlineData("/abs/dir/*.txt", "/abs/dir", "*.txt")]
    public void SplitGlob_separates_the_literal_base(string pattern, string baseDir, string rest)
    {
        FileSourceResolver.SplitGlob(pattern).Should().Be((baseDir, rest));
    }
}
