using System.Text;
using Quarry.Core.Tests.TestSupport;
using Quarry.Parsing;

namespace Quarry.Core.Tests.Parsing;

public sealed class StructureTests
{
    private static Task<ParsedDocument> Parse(string text, string fileName) =>
        ParsingTestHost.CreateSelector().ParseBytesAsync(Encoding.UTF8.GetBytes(text), fileName);

    [Fact]
    public async Task Markdown_keeps_headings_nested_lists_tables_code_and_front_matter_title()
    {
        var document = await Parse("""
            ---
            title: From front matter
            ---
            # Heading

            - one
              - nested
            - two

            | a | b |
            |---|---|
            | 1 | 2 |

            ```csharp
            var x = 1;
            ```

            > quoted
            """, "doc.md");

        document.Title.Should().Be("From front matter");
        document.Text.Should().NotContain("title:");
        document.Blocks.Select(b => b.Kind).Should().Equal(
            BlockKind.Heading, BlockKind.ListItem, BlockKind.ListItem, BlockKind.ListItem, BlockKind.Table, BlockKind.Code, BlockKind.Quote);
        document.Blocks[2].Level.Should().Be(1);
        document.TextOf(document.Blocks[4]).Should().Be("| a | b |\n| --- | --- |\n| 1 | 2 |");
        document.TextOf(document.Blocks[5]).Should().StartWith("```csharp\nvar x = 1;");
    }

    [Fact]
    public async Task Html_drops_chrome_and_expands_colspan()
    {
        var document = await Parse("""
            <html><head><title>Page</title><style>p{}</style></head><body>
            <nav>Home | About</nav><header>Site banner</header>
            <h2>Section</h2><p>Body <b>text</b>.</p><script>alert(1)</script>
            <table><tr><th>A</th><th>B</th></tr><tr><td colspan="2">wide</td></tr></table>
            <footer>Copyright</footer></body></html>
            """, "page.html");

        document.Title.Should().Be("Page");
        document.Text.Should().NotContainAny("Home", "banner", "alert", "Copyright");
        document.Text.Should().Contain("## Section").And.Contain("Body text.").And.Contain("| wide | wide |");
    }

    [Theory]
    [InlineData("a;b;c\n1;\"x;y\";3\n", "| 1 | x;y | 3 |")]
    [InlineData("a\tb\n1\t2\n", "| 1 | 2 |")]
    [InlineData("a|b\n1|2\n", "| 1 | 2 |")]
    [InlineData("a,b\n\"line\nbreak\",\"say \"\"hi\"\"\"\n3\n", "| line break | say \"hi\" |")]
    public async Task Csv_sniffs_the_delimiter_and_honours_quotes(string csv, string expectedRow)
    {
        var document = await Parse(csv, "data.csv");
        document.Blocks.Should().ContainSingle().Which.Kind.Should().Be(BlockKind.Table);
        document.Text.Should().Contain(expectedRow);
    }

    [Fact]
    public async Task Json_arrays_of_records_become_tables_and_values_keep_their_path()
    {
        var document = await Parse("""{"name":"Quarry","team":[{"who":"Ann","role":"dev"},{"who":"Bo"}],"meta":{"owner":{"email":"a@b.c"}}}""", "data.json");
        document.Text.Should().Contain("name: Quarry").And.Contain("| who | role |").And.Contain("| Bo |  |")
            .And.Contain("meta.owner.email: a@b.c");
        document.Blocks.Should().Contain(b => b.Kind == BlockKind.Heading);
    }

    [Fact]
    public async Task Json_lines_are_records()
    {
        var document = await Parse("{\"id\":1,\"q\":\"why\"}\n{\"id\":2,\"q\":\"how\"}\n", "log.jsonl");
        document.Text.Should().Contain("| id | q |").And.Contain("| 2 | how |");
    }

    [Fact]
    public async Task Pdf_blocks_carry_their_page_numbers()
    {
        if (!SharedData.Available) return;
        var document = await ParsingTestHost.CreateSelector().ParseFileAsync(
            SharedData.Path("datasets", "parser-testdata", "pdf", "sources", "multi_page.pdf"));
        document.PageCount.Should().BeGreaterThan(1);
        document.Blocks.Should().OnlyContain(b => b.Page >= 1 && b.Page <= document.PageCount);
        document.Blocks.Select(b => b.Page).Distinct().Should().HaveCount(document.PageCount!.Value);
    }

    [Fact]
    public void Pdf_lines_are_joined_and_hyphenation_undone()
    {
        PdfParser.JoinLines("the docu-\nment is wrapped\nover lines").Should().Be("the document is wrapped over lines");
        PdfParser.JoinLines("well-\nKnown").Should().Be("well- Known");
    }
}
