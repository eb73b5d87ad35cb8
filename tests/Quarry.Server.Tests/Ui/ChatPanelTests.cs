using Microsoft.Playwright;

namespace Quarry.Server.Tests.Ui;

/// <summary>The chat panel in Chromium: a streamed answer rendered piece by piece, [n] links that open the cited quote
/// with its title and section, and plain "not found" abstentions.</summary>
public sealed class ChatPanelTests : BrowserTest
{
    [ChromiumFact]
    public async Task Upload_ask_watch_the_answer_stream_and_open_a_citation()
    {
        var page = await OpenWithKnowledgeBaseAsync("handbook");

        await page.Locator("#file-input").SetInputFilesAsync(new FilePayload
        {
            Name = "travel.md",
            MimeType = "text/markdown",
            Buffer = System.Text.Encoding.UTF8.GetBytes("# Travel policy\n\n## Taxis\n\nTaxis are refunded up to 40 euros per ride with a receipt.\n\n## Hotels\n\nA hotel night costs at most 180 euros in Paris.\n"),
        });
        await Assertions.Expect(page.Locator("#uploads li").First).ToHaveAttributeAsync("data-state", "succeeded", new() { Timeout = 30_000 });

        // Watch the answer while it streams: a typing indicator first, then text before the final rendering.
        await page.EvaluateAsync("""
            () => {
              window.__typing = false; window.__partial = false;
              new MutationObserver(() => {
                const a = document.querySelector('#messages li.answer:last-child');
                if (!a || !a.dataset.streaming) return;
                if (a.querySelector('.typing')) window.__typing = true;
                else if (a.textContent.trim()) window.__partial = true;
              }).observe(document.getElementById('messages'), { subtree: true, childList: true, characterData: true });
            }
            """);
        await page.GetByLabel("Question").FillAsync("How much are taxis refunded per ride?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Ask", Exact = true }).ClickAsync();

        var answer = page.Locator("#messages li.answer").Last;
        await Assertions.Expect(answer.Locator("a.cite").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(answer).ToContainTextAsync("40 euros");
        (await page.EvaluateAsync<bool>("() => window.__typing")).Should().BeTrue("a typing indicator shows until the first delta");
        (await page.EvaluateAsync<bool>("() => window.__partial")).Should().BeTrue("streamed text is shown before the answer is final");
        int.Parse(await answer.GetAttributeAsync("data-deltas") ?? "0").Should().BeGreaterThan(1, "the answer arrives as a stream of deltas");
        await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("ui-chat-answer"), FullPage = true });

        await answer.Locator("a.cite").First.ClickAsync();
        var dialog = page.Locator("#source");
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#citation-title")).ToContainTextAsync("Travel policy");
        await Assertions.Expect(page.Locator("#citation-where")).ToContainTextAsync("Taxis");
        await Assertions.Expect(page.Locator("#citation-quote")).ToContainTextAsync("40 euros");
        await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("ui-chat-citation"), FullPage = true });
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await Assertions.Expect(dialog).ToBeHiddenAsync();

        await page.GetByLabel("Question").FillAsync("What is the orbital period of Neptune's moon Triton?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Ask", Exact = true }).ClickAsync();
        var abstention = page.Locator("#messages li.answer.abstained");
        await Assertions.Expect(abstention).ToContainTextAsync("Not found in the knowledge base", new() { Timeout = 30_000 });
        await Assertions.Expect(abstention.Locator("a.cite")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("ui-chat-abstention"), FullPage = true });
    }
}
