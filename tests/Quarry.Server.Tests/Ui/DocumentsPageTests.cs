using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Quarry.Server.Tests.Ui;

/// <summary>The web UI served by the real server, driven in Chromium: knowledge bases, drag-and-drop upload with job
/// status, the document list and delete.</summary>
public sealed class DocumentsPageTests : BrowserTest
{
    [ChromiumFact]
    public async Task A_dropped_file_is_uploaded_ingested_listed_and_can_be_deleted()
    {
        var page = await OpenWithKnowledgeBaseAsync("handbook");
        page.Dialog += (_, dialog) => dialog.AcceptAsync(dialog.Type == "prompt" ? "manuals" : null);

        // Drag and drop: a DataTransfer built in the page, dropped on the drop zone, as a user's drag would deliver it.
        var transfer = await page.EvaluateHandleAsync("""
            () => {
              const dt = new DataTransfer();
              dt.items.add(new File(["# Travel policy\n\n## Expenses\n\nTaxis are refunded up to 40 euros per ride with a receipt.\n"], "travel.md", { type: "text/markdown" }));
              return dt;
            }
            """);
        await page.DispatchEventAsync("#drop", "drop", new { dataTransfer = transfer });

        var upload = page.Locator("#uploads li").First;
        await Assertions.Expect(upload).ToHaveAttributeAsync("data-state", "succeeded", new() { Timeout = 30_000 });
        await Assertions.Expect(upload.Locator(".state")).ToContainTextAsync("created");
        var row = page.Locator("#doc-rows tr");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.First).ToContainTextAsync("Travel policy");
        await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("ui-documents-uploaded"), FullPage = true });

        await row.First.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("Delete") }).ClickAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#doc-empty")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Rename this knowledge base" }).ClickAsync();
        await Assertions.Expect(page.Locator("#kb-select")).ToHaveValueAsync("manuals");
        await Assertions.Expect(page.Locator("#kb-select option")).ToHaveCountAsync(1);
    }

    [ChromiumFact]
    public async Task A_question_before_any_knowledge_base_is_answered_with_what_to_do_and_a_rejected_file_shows_why_its_job_failed()
    {
        var first = await Chromium.NewPageAsync(new() { ViewportSize = new() { Width = 375, Height = 800 } });
        await first.GotoAsync(Server.BaseAddress.ToString());
        await first.GetByRole(AriaRole.Textbox, new() { Name = "Question" }).FillAsync("What is in here?");
        await first.GetByRole(AriaRole.Button, new() { Name = "Ask", Exact = true }).ClickAsync();
        var alert = first.GetByRole(AriaRole.Alert);
        await Assertions.Expect(alert).ToContainTextAsync("There is no knowledge base yet");
        await first.GetByRole(AriaRole.Button, new() { Name = "Documents", Exact = true }).ClickAsync();
        await first.GetByLabel("New knowledge base name").FillAsync("misc");
        await first.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Assertions.Expect(first.Locator("#kb-select")).ToHaveValueAsync("misc");
        await Assertions.Expect(alert).ToBeHiddenAsync(); // the next success clears the old error
        await first.CloseAsync();

        var page = await Chromium.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        await page.GotoAsync(Server.BaseAddress.ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Documents", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#kb-select")).ToHaveValueAsync("misc");
        await page.Locator("#file-input").SetInputFilesAsync(new FilePayload { Name = "picture.png", MimeType = "image/png", Buffer = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0] });
        var upload = page.Locator("#uploads li").First;
        await Assertions.Expect(upload).ToHaveAttributeAsync("data-state", "failed", new() { Timeout = 30_000 });
        await Assertions.Expect(upload.Locator(".state")).ToContainTextAsync("corrupt");
    }
}
