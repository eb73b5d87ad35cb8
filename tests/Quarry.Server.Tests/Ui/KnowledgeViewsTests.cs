using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Quarry.Server.Tests.Ui;

/// <summary>The views around the conversation at a laptop (1366×900) and a phone (375×800) size: documents searched
/// and paged by the server, one document with its versions, replace and delete; jobs from the server's list (a failed
/// file keeps its reason across a reload until cleared); a citation's source rendered as Markdown and its link to the
/// document; and several conversations. Screenshots of each view go to artifacts/ui-screenshots.</summary>
[Collection(UiCollection.Name)]
public sealed class KnowledgeViewsTests(UiFixture ui)
{
    public static TheoryData<int, int> Sizes => new() { { 1366, 900 }, { 375, 800 } };

    private static async Task ExpectNoSidewaysScrollAsync(IPage page, string view) =>
        (await page.EvaluateAsync<bool>("() => document.scrollingElement.scrollWidth <= window.innerWidth"))
            .Should().BeTrue($"the {view} view must not scroll sideways at {page.ViewportSize!.Width} px");

    private static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    [ChromiumTheory]
    [MemberData(nameof(Sizes))]
    public async Task Documents_page_open_replace_and_delete_and_jobs_keep_failures_across_a_reload(int width, int height)
    {
        var page = await ui.OpenAsync(ui.Admin, width, height);
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await Button(page, "Documents").ClickAsync();
        await Button(page, "Next").ClickAsync();
        await Assertions.Expect(page.Locator("#doc-count")).ToHaveTextAsync($"26–{UiFixture.Documents} of {UiFixture.Documents} documents");
        await Assertions.Expect(page.Locator("#doc-rows tr")).ToHaveCountAsync(UiFixture.Documents - UiFixture.PageSize);
        await ExpectNoSidewaysScrollAsync(page, "documents, second page");
        await page.ScreenshotAsync(new() { Path = UiFixture.Shot($"documents-page-2-{width}") });

        // A new document: its upload's bar ends when ingestion does; then a new version replaces it.
        var scratch = $"scratch-{width}.md";
        await page.Locator("#file-input").SetInputFilesAsync(Markdown(scratch, $"# Scratch notes {width}\n\nThe kettle descaler is citric acid.\n"));
        var upload = page.Locator("#uploads li").First;
        await Assertions.Expect(upload).ToHaveAttributeAsync("data-state", "succeeded", new() { Timeout = 30_000 });
        (await upload.Locator("progress").GetAttributeAsync("value")).Should().Be("100");
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search documents" }).FillAsync(scratch);
        await Assertions.Expect(page.Locator("#doc-rows tr")).ToHaveCountAsync(1);
        await page.Locator("#doc-rows button.doc-title").ClickAsync();
        var panel = page.Locator("#document");
        await Assertions.Expect(panel).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#document-versions li")).ToHaveCountAsync(1);
        await page.Locator("#document-file").SetInputFilesAsync(Markdown(scratch, $"# Scratch notes {width}\n\nThe kettle descaler is vinegar now.\n"));
        await Assertions.Expect(page.Locator("#document-uploads li").First).ToHaveAttributeAsync("data-state", "succeeded", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#document-uploads .state").First).ToContainTextAsync("replaced");
        await Button(page, "Close document").ClickAsync();
        await page.Locator("#doc-rows button.doc-title").ClickAsync();
        await Assertions.Expect(page.Locator("#document-versions li")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#document-chunks")).ToContainTextAsync("vinegar");
        await Assertions.Expect(page.Locator("#document-chunks h1")).ToContainTextAsync("Scratch notes"); // Markdown, not "# Scratch"
        await ExpectNoSidewaysScrollAsync(page, "document");
        await page.ScreenshotAsync(new() { Path = UiFixture.Shot($"document-{width}") });
        await Button(page, "Delete this document").ClickAsync();
        await Assertions.Expect(panel).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#doc-empty")).ToHaveTextAsync("No document matches the search.");

        // A file the server cannot read: the job fails, and after a reload the Jobs view still says why.
        await page.Locator("#file-input").SetInputFilesAsync(new FilePayload { Name = $"broken-{width}.png", MimeType = "image/png", Buffer = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0] });
        await Assertions.Expect(page.Locator("#uploads li").First).ToHaveAttributeAsync("data-state", "failed", new() { Timeout = 30_000 });
        await page.ReloadAsync();
        await Button(page, "Jobs").ClickAsync();
        var failed = page.Locator("#job-list li[data-status=failed]").Filter(new() { HasText = $"broken-{width}.png" });
        await Assertions.Expect(failed).ToContainTextAsync("could not be read");
        await Assertions.Expect(page.Locator("#job-list li[data-status=succeeded]").Filter(new() { HasText = scratch })).ToHaveCountAsync(2);
        await ExpectNoSidewaysScrollAsync(page, "jobs");
        await page.ScreenshotAsync(new() { Path = UiFixture.Shot($"jobs-{width}") });
        await Button(page, "Clear finished").ClickAsync();
        await Assertions.Expect(failed).ToHaveCountAsync(0);
        await page.ReloadAsync();
        await Button(page, "Jobs").ClickAsync();
        await Assertions.Expect(page.Locator("#jobs-summary")).ToHaveTextAsync(new Regex("Nothing is running"));
        await Assertions.Expect(failed).ToHaveCountAsync(0);
        await page.CloseAsync();
    }

    [ChromiumTheory]
    [MemberData(nameof(Sizes))]
    public async Task A_citation_opens_its_chunk_as_Markdown_and_the_document_at_the_quote_and_conversations_are_listed(int width, int height)
    {
        var page = await ui.OpenAsync(ui.Admin, width, height);
        page.Dialog += (_, dialog) => dialog.AcceptAsync(dialog.Type == "prompt" ? "Rooms" : null);
        var composer = page.GetByRole(AriaRole.Textbox, new() { Name = "Question" });
        await composer.FillAsync("How much are taxis refunded per ride?");
        await composer.PressAsync("Enter");
        var answer = page.Locator("#messages li.answer").Last;
        await Assertions.Expect(answer.Locator("a.cite").First).ToBeVisibleAsync(new() { Timeout = 30_000 });

        await answer.Locator("a.cite").First.ClickAsync();
        var context = page.Locator("#citation-context");
        await Assertions.Expect(context.Locator("mark")).ToContainTextAsync("40 euros");
        (await context.InnerTextAsync()).Should().NotContain("# ", "the chunk's Markdown is rendered, not shown as source");
        await Button(page, "Open the document").ClickAsync();
        await Assertions.Expect(page.Locator("#document-heading")).ToHaveTextAsync("Travel policy");
        var quote = page.Locator("#document-chunks .cited mark");
        await Assertions.Expect(quote).ToContainTextAsync("40 euros");
        await Assertions.Expect(quote).ToBeInViewportAsync();
        await ExpectNoSidewaysScrollAsync(page, "document at a citation");
        await page.ScreenshotAsync(new() { Path = UiFixture.Shot($"document-cited-{width}") });
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.Locator("#document")).ToBeHiddenAsync();

        await Button(page, "New chat").ClickAsync();
        await composer.FillAsync("Which room does rule 7 concern?");
        await composer.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#messages li.answer").Last).ToContainTextAsync("meeting room 7", new() { Timeout = 30_000 });
        await Button(page, "Chats").ClickAsync();
        var conversations = page.Locator("#conversation-list li");
        await Assertions.Expect(conversations).ToHaveCountAsync(2);
        await Assertions.Expect(conversations.First).ToHaveClassAsync("active");
        await page.GetByRole(AriaRole.Button, new() { Name = "Rename Which room does rule 7 concern?" }).ClickAsync();
        await Assertions.Expect(conversations.First.Locator(".open-conversation")).ToHaveTextAsync("Rooms");
        await ExpectNoSidewaysScrollAsync(page, "chats");
        await page.ScreenshotAsync(new() { Path = UiFixture.Shot($"chats-{width}") });

        await conversations.Filter(new() { HasText = "taxis" }).Locator(".open-conversation").ClickAsync();
        await Assertions.Expect(page.Locator("#messages li.user")).ToHaveTextAsync(["How much are taxis refunded per ride?"]);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#messages li.user")).ToHaveTextAsync(["How much are taxis refunded per ride?"]);
        await Button(page, "Chats").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete Rooms" }).ClickAsync();
        await Assertions.Expect(conversations).ToHaveCountAsync(1);
        await page.CloseAsync();
    }

    private static FilePayload Markdown(string name, string text) =>
        new() { Name = name, MimeType = "text/markdown", Buffer = System.Text.Encoding.UTF8.GetBytes(text) };
}
