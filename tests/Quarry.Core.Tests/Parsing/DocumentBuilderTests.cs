using Quarry.Parsing;

namespace Quarry.Core.Tests.Parsing;

public sealed class DocumentBuilderTests
{
    [Fact]
    public void Blocks_are_spans_of_one_normalized_text()
    {
        var document = new DocumentBuilder()
            .AddHeading("  Refund\tpolicy ", 1)
            .AddParagraph("Cafe\u0301 soft\u00ADhyphen\u200B and\r\n  wrapped   line.")
            .AddListItem("first")
            .AddListItem("nested", depth: 1)
            .EndList()
            .AddTable([["Plan", "Price"], ["Basic", "5 | 10"], ["Pro"]])
            .AddCode("\n\n  indented()\n\treturn 1   \n\n", "python")
            .Build();

        document.Title.Should().Be("Refund policy");
        document.Text.Should().Be(
            "# Refund policy\n\n" +
            "Café softhyphen and wrapped line.\n\n" +
            "- first\n  - nested\n\n" +
            "| Plan | Price |\n| --- | --- |\n| Basic | 5 \\| 10 |\n| Pro |  |\n\n" +
            "```python\n  indented()\n\treturn 1\n```");
        document.Blocks.Select(b => b.Kind).Should().Equal(
            BlockKind.Heading, BlockKind.Paragraph, BlockKind.ListItem, BlockKind.ListItem, BlockKind.Table, BlockKind.Code);
        document.Blocks[3].Level.Should().Be(1);
        document.TextOf(document.Blocks[1]).Should().Be("Café softhyphen and wrapped line.");
    }

    [Fact]
    public void Empty_blocks_are_skipped_and_a_fallback_title_is_used()
    {
        var document = new DocumentBuilder().AddParagraph("  \n ").AddTable([["", " "]]).AddParagraph("Body").Build(fallbackTitle: "notes");

        document.Blocks.Should().ContainSingle();
        document.Title.Should().Be("notes");
    }

    [Fact]
    public void Emoji_sequences_survive_normalization()
    {
        var document = new DocumentBuilder().AddParagraph("Team 👩‍💻 ships").Build();

        document.Text.Should().Be("Team 👩‍💻 ships");
    }

    [Fact]
    public void Pages_are_recorded_per_block()
    {
        var builder = new DocumentBuilder { CurrentPage = 1 };
        builder.AddParagraph("one");
        builder.CurrentPage = 2;
        builder.AddParagraph("two");

        builder.Build().Blocks.Select(b => b.Page).Should().Equal(1, 2);
    }
}
