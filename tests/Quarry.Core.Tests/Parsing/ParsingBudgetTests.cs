using System.Text;
using Quarry.Parsing;

namespace Quarry.Core.Tests.Parsing;

/// <summary>Limits checked while reading: nesting depth and element counts before a tree is built, extracted text as it
/// is produced, and the time budget wherever text is produced.</summary>
public class ParsingBudgetTests
{
    [Fact]
    public async Task Html_nested_deeper_than_the_limit_is_rejected_before_parsing()
    {
        var html = Encoding.UTF8.GetBytes("<html><body>" + string.Concat(Enumerable.Repeat("<div>", 100_000)) + "x" + string.Concat(Enumerable.Repeat("</div>", 100_000)) + "</body></html>");

        var act = () => ParsingTestHost.CreateSelector().ParseBytesAsync(html, "deep.html");

        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Message.Should().Contain("Parsing:MaxNestingDepth");
    }

    [Fact]
    public async Task Html_nested_within_the_limit_parses_and_keeps_its_text()
    {
        var html = Encoding.UTF8.GetBytes("<html><body>" + string.Concat(Enumerable.Repeat("<div><p>para", 300)) + string.Concat(Enumerable.Repeat("</div>", 300)) + "</body></html>");

        var parsed = await ParsingTestHost.CreateSelector().ParseBytesAsync(html, "ok.html");

        parsed.Blocks.Should().HaveCount(300);
    }

    [Fact]
    public async Task Html_with_more_elements_than_the_limit_is_rejected()
    {
        var html = Encoding.UTF8.GetBytes("<html><body>" + string.Concat(Enumerable.Repeat("<span>a</span>", 5_000)) + "</body></html>");

        var act = () => ParsingTestHost.CreateSelector(o => o.MaxElements = 1_000).ParseBytesAsync(html, "many.html");

        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.TooLarge);
    }

    [Fact]
    public async Task Markdown_quotes_nested_deeper_than_the_limit_are_rejected_before_parsing()
    {
        var markdown = Encoding.UTF8.GetBytes(new string('>', 5_000) + " deep\n");

        var act = () => ParsingTestHost.CreateSelector().ParseBytesAsync(markdown, "deep.md");

        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Message.Should().Contain("Parsing:MaxNestingDepth");
    }

    [Fact]
    public async Task Extracted_text_is_counted_while_extracting()
    {
        var markdown = Encoding.UTF8.GetBytes(string.Join("\n\n", Enumerable.Repeat("Some paragraph text here.", 10_000)));
        var selector = ParsingTestHost.CreateSelector();

        using (ExtractionBudget.Enter(new ExtractionBudget(maxChars: 10_000, maxElements: 1_000_000, CancellationToken.None)))
        {
            var act = () => selector.ParseBytesAsync(markdown, "long.md");
            (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.TooLarge);
        }
        (await selector.ParseBytesAsync(markdown, "long.md")).Blocks.Should().HaveCount(10_000, "without a budget the limit is the options'");
    }

    [Fact]
    public async Task An_expired_time_budget_stops_the_parser_where_it_produces_text()
    {
        var html = Encoding.UTF8.GetBytes("<html><body>" + string.Concat(Enumerable.Repeat("<p>text</p>", 1_000)) + "</body></html>");
        using var expired = new CancellationTokenSource();
        await expired.CancelAsync();

        using (ExtractionBudget.Enter(new ExtractionBudget(long.MaxValue, long.MaxValue, expired.Token)))
        {
            var act = () => ParsingTestHost.CreateSelector().ParseBytesAsync(html, "slow.html");
            await act.Should().ThrowAsync<OperationCanceledException>();
        }
    }

    [Fact]
    public void Long_titles_are_capped_to_one_line()
    {
        var parsed = new DocumentBuilder().AddParagraph("x").Build(string.Join("\n", Enumerable.Repeat("A long title line", 40)));

        parsed.Title.Length.Should().BeLessThanOrEqualTo(DocumentBuilder.MaxTitleLength);
        parsed.Title.Should().NotContain("\n").And.EndWith("…");
    }
}
