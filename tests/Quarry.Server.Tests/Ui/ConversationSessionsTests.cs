using System.Net;
using Microsoft.Playwright;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests.Ui;

/// <summary>The chat keeps its conversations as server sessions: a conversation started in one browser is listed and
/// opens, with its answer, in another browser (nothing shared but the key), and the server holds its turns.</summary>
[Collection(UiCollection.Name)]
public sealed class ConversationSessionsTests(UiFixture ui)
{
    [ChromiumFact]
    public async Task A_conversation_follows_the_key_to_another_browser()
    {
        var key = await ui.OwnKeyAsync(ui.Reader);
        var first = await ui.OpenAsync(key, 1366, 900, shareKey: true);
        var composer = first.GetByRole(AriaRole.Textbox, new() { Name = "Question" });
        await composer.FillAsync("How much are taxis refunded per ride?");
        await composer.PressAsync("Enter");
        await Assertions.Expect(first.Locator("#messages li.answer").Last.Locator("a.cite").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await first.CloseAsync();

        using var client = ui.Server.Client(key);
        var sessions = await (await client.GetAsync("/v1/sessions")).JsonAsync(HttpStatusCode.OK);
        var session = sessions.GetProperty("items").EnumerateArray().Should().ContainSingle().Subject;
        session.GetProperty("title").GetString().Should().Be("How much are taxis refunded per ride?");
        session.GetProperty("turns").GetInt32().Should().Be(1);

        // Another browser context: empty localStorage, the same key.
        var second = await ui.OpenAsync(key, 1366, 900, shareKey: true);
        await Assertions.Expect(second.Locator("#messages li.user")).ToHaveTextAsync(["How much are taxis refunded per ride?"]);
        await Assertions.Expect(second.Locator("#messages li.answer").Last).ToContainTextAsync("40 euros");
        await second.CloseAsync();
    }
}
