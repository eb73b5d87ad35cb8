using Microsoft.Playwright;
using Quarry.Server.Tests.Observability;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests.Ui;

/// <summary>A written answer streamed from a chat model (a loopback OpenAI-compatible server) renders as Markdown: a
/// code block with a copy button, no raw HTML from the model or the sources, and no extractive hint.</summary>
public sealed class MarkdownAnswerTests : IAsyncLifetime
{
    // The verifiable first sentence with [1], then a fenced code block and a line of raw HTML.
    private readonly LoopbackModels _chat = new(sentence =>
        sentence + " [1]\n\n```bash\npip install fastapi\n```\n\nLogs look like <font color=\"red\">INFO</font> lines.");
    private ServerProcess _server = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _chromium = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Browser.ChromiumPath)) return;
        _server = new ServerProcess()
            .With("QUARRY_Models__Chat__Providers__0__Name", "loopback")
            .With("QUARRY_Models__Chat__Providers__0__Endpoint", _chat.Endpoint.ToString())
            .With("QUARRY_Models__Chat__Providers__0__Model", "gpt-test")
            .With("QUARRY_Models__Chat__Providers__0__ApiKey", "sk-test");
        await _server.StartAsync("--dev");
        using var client = _server.Client();
        await client.CreateKnowledgeBaseAsync("guide");
        await client.IngestAsync("guide", "install.md", "# Installing\n\nFastAPI is installed with pip in a virtual environment. Run the server with uvicorn.\n");
        (_playwright, _chromium) = await Browser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (_chromium is not null) await _chromium.DisposeAsync();
        _playwright?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
        await _chat.DisposeAsync();
    }

    [ChromiumTheory]
    [MemberData(nameof(ChatFirstLayoutTests.Sizes), MemberType = typeof(ChatFirstLayoutTests))]
    public async Task A_streamed_answer_renders_a_code_block_and_no_raw_html(int width, int height)
    {
        var page = await _chromium.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = height } });
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal)) violations.Add(message.Text);
        };
        await page.GotoAsync(_server.BaseAddress.ToString());
        await Assertions.Expect(page.Locator("#kb-select")).ToHaveValueAsync("guide");
        await Assertions.Expect(page.Locator("#hint")).ToBeHiddenAsync();

        await page.GetByRole(AriaRole.Textbox, new() { Name = "Question" }).FillAsync("How do I install FastAPI?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Ask", Exact = true }).ClickAsync();

        var answer = page.Locator("#messages li.answer").Last;
        await Assertions.Expect(answer.Locator("pre code")).ToContainTextAsync("pip install fastapi", new() { Timeout = 30_000 });
        await Assertions.Expect(answer.GetByRole(AriaRole.Button, new() { Name = "Copy code" })).ToBeVisibleAsync();
        await Assertions.Expect(answer.Locator("a.cite").First).ToBeVisibleAsync();
        await Assertions.Expect(answer.Locator(".meta")).ToContainTextAsync("Written by");
        (await answer.Locator("font, span[style]").CountAsync()).Should().Be(0, "markup in an answer is shown as text, never rendered");
        await Assertions.Expect(answer).ToContainTextAsync("<font color=\"red\">INFO</font>");
        (await page.EvaluateAsync<bool>("() => document.scrollingElement.scrollWidth <= window.innerWidth")).Should().BeTrue();
        violations.Should().BeEmpty("the UI runs under the server's Content-Security-Policy");
        await page.ScreenshotAsync(new() { Path = UiFixture.Shot($"answer-markdown-{width}") });
        await page.CloseAsync();
    }
}
