using Microsoft.Playwright;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests.Ui;

/// <summary>A development-mode server process and headless Chromium for one test class instance.</summary>
public abstract class BrowserTest : IAsyncLifetime
{
    private IPlaywright _playwright = null!;

    internal ServerProcess Server { get; } = new();
    protected IBrowser Chromium { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Server.StartAsync("--dev");
        (_playwright, Chromium) = await Browser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await Chromium.DisposeAsync();
        _playwright.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>Opens the UI and creates (and selects) a knowledge base through it, as a user would.</summary>
    protected async Task<IPage> OpenWithKnowledgeBaseAsync(string name)
    {
        var page = await Chromium.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        await page.GotoAsync(Server.BaseAddress.ToString());
        // Knowledge bases and uploads live in the Documents panel beside (or, on phones, over) the conversation.
        await page.GetByRole(AriaRole.Button, new() { Name = "Documents", Exact = true }).ClickAsync();
        await page.GetByLabel("New knowledge base name").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Assertions.Expect(page.Locator("#kb-select")).ToHaveValueAsync(name);
        return page;
    }
}
