using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Quarry.Server.Tests.Ui;

/// <summary>While the background stage fills a knowledge base's vectors in, the picker says how far it is: in the
/// option's label on a laptop, and in a badge beside the picker on a phone, whose narrow picker cuts the label off.
/// The progress comes from the real knowledge-base list with its <c>vectors</c> counts rewritten in flight (the fixture
/// runs without an embedding model), so the page's own polling is what moves it on.</summary>
[Collection(UiCollection.Name)]
public sealed class VectorProgressTests(UiFixture ui)
{
    [ChromiumTheory]
    [InlineData(375, 800)]
    [InlineData(1366, 900)]
    public async Task The_picker_shows_vector_progress_and_clears_it_when_every_passage_has_its_vector(int width, int height)
    {
        var page = await ui.OpenAsync(ui.Admin, width, height);
        var embedded = 250;
        await page.RouteAsync("**/v1/knowledge-bases", async route =>
        {
            var response = await route.FetchAsync();
            var list = JsonNode.Parse(await response.TextAsync())!;
            foreach (var kb in list["items"]!.AsArray())
                kb!["vectors"] = new JsonObject { ["model"] = "builtin:minilm", ["embedded"] = Volatile.Read(ref embedded), ["chunks"] = 1000 };
            await route.FulfillAsync(new() { Response = response, Body = list.ToJsonString() });
        });
        await page.ReloadAsync();

        var badge = page.Locator("#kb-vectors");
        var option = page.Locator("#kb-select option", new() { HasText = UiFixture.KnowledgeBase });
        await Assertions.Expect(option).ToHaveTextAsync(new Regex(@"vectors 250/1,000$"));
        if (width <= 900)
        {
            await Assertions.Expect(badge).ToBeVisibleAsync();
            await Assertions.Expect(badge).ToHaveTextAsync("vectors 25%");
            (await badge.GetAttributeAsync("title")).Should().Contain("250 of 1,000 passages");
            (await page.EvaluateAsync<bool>("() => document.scrollingElement.scrollWidth <= window.innerWidth"))
                .Should().BeTrue("the badge must not push the header sideways on a phone");
        }
        else
        {
            await Assertions.Expect(badge).ToBeHiddenAsync(); // the option's label has room for the counts
        }
        await page.ScreenshotAsync(new() { Path = UiFixture.Shot($"vectors-filling-{width}") });

        Volatile.Write(ref embedded, 1000); // the page asks again every 5 s while vectors are filling
        await Assertions.Expect(option).ToHaveTextAsync(new Regex($@"^{UiFixture.KnowledgeBase} \(\d+\)$"), new() { Timeout = 15_000 });
        await Assertions.Expect(badge).ToBeHiddenAsync();
        await page.CloseAsync();
    }
}
