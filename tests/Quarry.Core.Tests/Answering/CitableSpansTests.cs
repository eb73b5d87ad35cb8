using Quarry.Citations;

namespace Quarry.Core.Tests.Answering;

public sealed class CitableSpansTests
{
    [Fact]
    public void Markdown_is_cut_into_sentences_list_items_rows_and_whole_code_blocks()
    {
        const string text = """
            ## Default values

            You can use defaults. They make a parameter optional.

            - First item here.
            - Second item.

            | a | b |
            |---|---|
            | 1 | 2 |

            Declare it like this:

            ```Python
            q: str = "x"
            ```

            {* ../docs_src/tutorial.py hl[9] *}

            /// note
            """;

        var units = CitableSpans.Split(text).Select(u => (text[u.Start..u.End], u.Kind)).ToList();

        units.Should().Equal(
            ("You can use defaults.", CitableSpans.Kind.Sentence),
            ("They make a parameter optional.", CitableSpans.Kind.Sentence),
            ("- First item here.", CitableSpans.Kind.Sentence),
            ("- Second item.", CitableSpans.Kind.Sentence),
            ("| a | b |", CitableSpans.Kind.Sentence),
            ("| 1 | 2 |", CitableSpans.Kind.Sentence),
            ("Declare it like this:", CitableSpans.Kind.Sentence),
            ("```Python\nq: str = \"x\"\n```", CitableSpans.Kind.Code));
    }

    [Fact]
    public void A_repeated_table_header_before_the_start_offset_is_never_quoted()
    {
        const string text = "| h1 | h2 |\n| x | y |";

        var units = CitableSpans.Split(text, from: 12);

        units.Should().ContainSingle().Which.Start.Should().Be(12);
    }

    [Fact]
    public void An_unclosed_code_fence_ends_with_the_text()
    {
        const string text = "Intro.\n\n```\ncode";

        CitableSpans.Split(text).Last().Should().Be(new CitableSpans.Unit(8, text.Length, CitableSpans.Kind.Code));
    }
}
