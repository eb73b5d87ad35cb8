using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Quarry.Server.Tests.Ui;

/// <summary>The chat-first layout at a laptop (1366×900) and a phone (375×800) size, with 41 documents: the composer
/// stays in view, nothing scrolls sideways, roles hide what they may not do, and a keyboard alone reaches an answer's
/// source. Screenshots of every view go to artifacts/ui-screenshots.</summary>
[Collection(UiCollection.Name)]
public sealed class ChatFirstLayoutTests(UiFixture ui)
{
    public static TheoryData<int, int> Sizes => new() { { 1366, 900 }, { 375, 800 } };

    private static async Task ExpectInViewportAsync(IPage page, ILocator locator)
    {
        var box = await locator.BoundingBoxAsync();
        box.Should().NotBeNull();
        var viewport = page.ViewportSize!;
        box!.Y.Should().BeGreaterThanOrEqualTo(0);
        (box.Y + box.Height).Should().BeLessThanOrEqualTo(viewport.Height, "the composer sits at the bottom of the window, not below the fold");
        (box.X + box.Width).Should().BeLessThanOrEqualTo(viewport.Width);
    }

    private static async Task ExpectNoSidewaysScrollAsync(IPage page, string view) =>
        (await page.EvaluateAsync<bool>("() => document.scrollingElement.scrollWidth <= window.innerWidth"))
            .Should().BeTrue($"the {view} view must not scroll sideways at {page.ViewportSize!.Width} px");

    [ChromiumTheory]
    [MemberData(nameof(Sizes))]
    public async Task The_composer_stays_in_view_with_many_documents_and_nothing_scrolls_sideways(int width, int height)
    {
        var page = await ui.OpenAsync(ui.Admin, width, height);
        var question = page.GetByRole(AriaRole.Textbox, new() { Name = "Question" });
        await ExpectInViewportAsync(page, question);
        await Assertions.Expect(page.Locator("#hint")).ToContainTextAsync("Configure a chat model for written answers");
        await ExpectNoSidewaysScrollAsync(page, "chat");
        await page.ScreenshotAsync(new() { Path = UiFixture.Shot($"chat-empty-{width}") });

        await page.GetByRole(AriaRole.Button, new() { Name = "Documents", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#doc-rows tr")).ToHaveCountAsync(UiFixture.PageSize);
        await Assertions.Expect(page.Locator("#doc-count")).ToHaveTextAsync($"1–{UiFixture.PageSize} of {UiFixture.Documents} documents");
        await Assertions.Expect(page.Locator("#kb-select option")).ToHaveTextAsync([new Regex("^handbook")], new() { Timeout = 5_000 });
        if (width > 900) await ExpectInViewportAsync(page, question); // beside the panel on wide screens
        await ExpectNoSidewaysScrollAsync(page, "documents");
        (await page.Locator("#doc-rows").GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Delete ") }).CountAsync()).Should().Be(UiFixture.PageSize, "an admin may delete documents");
        await page.ScreenshotAsync(new() { Path = UiFixture.Shot($"documents-{width}") });

        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search documents" }).FillAsync("number 7");
        await Assertions.Expect(page.Locator("#doc-rows tr")).ToHaveCountAsync(1);
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.Locator("#docs")).ToBeHiddenAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        var settings = page.GetByRole(AriaRole.Dialog, new() { Name = "Settings" });
        await Assertions.Expect(settings).ToContainTextAsync("admin");
        await Assertions.Expect(settings).ToContainTextAsync("extractive");
        await ExpectNoSidewaysScrollAsync(page, "settings");
        await page.ScreenshotAsync(new() { Path = UiFixture.Shot($"settings-{width}") });
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(settings).ToBeHiddenAsync();
        await page.CloseAsync();
    }

    [ChromiumFact]
    public async Task A_reader_sees_no_create_upload_or_delete_controls_and_the_page_recovers_when_the_server_returns()
    {
        var page = await ui.OpenAsync(ui.Reader, 375, 800);
        await page.GetByRole(AriaRole.Button, new() { Name = "Documents", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#doc-rows tr")).ToHaveCountAsync(UiFixture.PageSize);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("Delete") })).ToHaveCountAsync(0);
        await page.Locator("#doc-rows button.doc-title").First.ClickAsync();
        await Assertions.Expect(page.Locator("#document")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("Delete|Replace") })).ToHaveCountAsync(0);
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.GetByLabel("New knowledge base name")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#drop")).ToBeHiddenAsync();
        await ExpectNoSidewaysScrollAsync(page, "documents (reader)");
        await page.ScreenshotAsync(new() { Path = UiFixture.Shot("documents-reader-375") });
        await page.Keyboard.PressAsync("Escape");

        // The server goes away (every API request fails at the network level), then comes back.
        await page.RouteAsync("**/v1/**", route => route.AbortAsync("connectionrefused"));
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Question" }).FillAsync("Which room does rule 7 concern?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Ask", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#messages li.answer.failed")).ToContainTextAsync("Can't reach the Quarry server");
        await Assertions.Expect(page.Locator("body")).ToHaveClassAsync(new Regex("offline"));
        await page.ScreenshotAsync(new() { Path = UiFixture.Shot("server-down-375") });
        await page.UnrouteAllAsync();
        await Assertions.Expect(page.Locator("body")).Not.ToHaveClassAsync(new Regex("offline"), new() { Timeout = 15_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = "Regenerate" }).ClickAsync();
        await Assertions.Expect(page.Locator("#messages li.answer").Last).ToContainTextAsync("meeting room 7", new() { Timeout = 30_000 });
        await page.CloseAsync();
    }

    [ChromiumTheory]
    [MemberData(nameof(Sizes))]
    public async Task Keyboard_only_from_slash_to_answer_to_source_and_the_conversation_survives_reload(int width, int height)
    {
        var page = await ui.OpenAsync(ui.Admin, width, height);
        var composer = page.GetByRole(AriaRole.Textbox, new() { Name = "Question" });
        await page.Keyboard.PressAsync("/");
        await Assertions.Expect(composer).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("How much are taxis refunded per ride?");
        await page.Keyboard.PressAsync("Enter");

        var answer = page.Locator("#messages li.answer").Last;
        await Assertions.Expect(answer.Locator("a.cite").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(answer).ToContainTextAsync("40 euros");
        await Assertions.Expect(answer.Locator(".sources li")).ToHaveCountAsync(1, new() { Timeout = 5_000 });
        await ExpectInViewportAsync(page, composer);
        await ExpectNoSidewaysScrollAsync(page, "answer");
        await page.ScreenshotAsync(new() { Path = UiFixture.Shot($"chat-answer-{width}") });

        // Back from the composer through the answer's actions to its last source link.
        for (var i = 0; i < 8 && !await page.EvaluateAsync<bool>("() => document.activeElement.classList.contains('cite')"); i++)
            await page.Keyboard.PressAsync("Shift+Tab");
        (await page.EvaluateAsync<bool>("() => document.activeElement.classList.contains('cite')")).Should().BeTrue("a source link is reachable by keyboard");
        await page.Keyboard.PressAsync("Enter");
        var source = page.Locator("#source");
        await Assertions.Expect(source).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#citation-title")).ToContainTextAsync("Travel policy");
        await Assertions.Expect(page.Locator("#citation-where")).ToHaveTextAsync("Taxis");
        await Assertions.Expect(page.Locator("#citation-quote")).ToContainTextAsync("40 euros");
        await Assertions.Expect(page.Locator("#citation-context mark")).ToContainTextAsync("40 euros");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Close", Exact = true }).Last).ToBeFocusedAsync();
        await ExpectNoSidewaysScrollAsync(page, "source");
        await page.ScreenshotAsync(new() { Path = UiFixture.Shot($"source-{width}") });
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(source).ToBeHiddenAsync();
        (await page.EvaluateAsync<bool>("() => document.activeElement.classList.contains('cite')")).Should().BeTrue("focus returns to the link that opened the source");

        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#messages li.user")).ToHaveTextAsync(["How much are taxis refunded per ride?"]);
        await Assertions.Expect(page.Locator("#messages li.answer").Last).ToContainTextAsync("40 euros");
        await Assertions.Expect(page.Locator("#messages li.answer a.cite").First).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "New chat" }).ClickAsync();
        await Assertions.Expect(page.Locator("#messages li")).ToHaveCountAsync(0);
        await page.CloseAsync();
    }
}

/// <summary>A theory that needs Debian's Chromium.</summary>
internal sealed class ChromiumTheoryAttribute : TheoryAttribute
{
    public ChromiumTheoryAttribute()
    {
        if (!File.Exists(Browser.ChromiumPath)) Skip = "Chromium not found at /usr/bin/chromium: apt-get install chromium.";
    }
}
