using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests.Ui;

/// <summary>One keyed server (admin and reader keys) with a knowledge base of 41 documents, and Chromium, shared by
/// the UI test collection: the layout must hold with a long document list.</summary>
public sealed class UiFixture : IAsyncLifetime
{
    public const string KnowledgeBase = "handbook";
    public const int Documents = 41;
    /// <summary>The Documents panel's page size (documents.js).</summary>
    public const int PageSize = 25;

    internal ServerProcess Server { get; } = new();
    public string Admin { get; private set; } = "";
    public string Reader { get; private set; } = "";
    private IPlaywright _playwright = null!;
    public IBrowser Chromium { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Browser.ChromiumPath)) return; // the tests skip themselves
        Admin = await Server.CreateKeyAsync("ui", "admin");
        Reader = await Server.CreateKeyAsync("ui", "reader");
        await Server.StartAsync();
        using var admin = Server.Client(Admin);
        await admin.CreateKnowledgeBaseAsync(KnowledgeBase);
        await admin.CreateKnowledgeBaseAsync("eval-hidden-ui");
        await admin.PatchAsync($"/v1/knowledge-bases/eval-hidden-ui", JsonContent("""{"hidden":true}"""));

        var jobs = new List<string>();
        jobs.Add(await UploadAsync(admin, "travel.md", "# Travel policy\n\n## Taxis\n\nTaxis are refunded up to 40 euros per ride with a receipt.\n\n## Hotels\n\nA hotel night costs at most 180 euros in Paris.\n"));
        for (var i = 1; i < Documents; i++)
            jobs.Add(await UploadAsync(admin, $"policy-{i:00}.md", $"# Office policy number {i}\n\n## Rules\n\nRule {i} of the office concerns meeting room {i} and its booking hours.\n"));
        foreach (var job in jobs)
            (await admin.WaitForJobAsync(job)).GetProperty("status").GetString().Should().Be("succeeded");

        (_playwright, Chromium) = await Browser.LaunchAsync();
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private static async Task<string> UploadAsync(HttpClient client, string name, string text) =>
        (await (await client.UploadTextAsync(KnowledgeBase, name, text)).JsonAsync(HttpStatusCode.Accepted)).GetProperty("jobId").GetString()!;

    /// <summary>A page with the key and knowledge base already chosen (as a returning user has them), at a viewport size.</summary>
    /// <param name="shareKey">Use <paramref name="key"/> itself rather than a new key of its role (a user's second browser).</param>
    public async Task<IPage> OpenAsync(string key, int width, int height, bool shareKey = false)
    {
        if (!shareKey) key = await OwnKeyAsync(key);
        var page = await Chromium.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = height } });
        await page.AddInitScriptAsync($"if (!sessionStorage.getItem('seeded')) {{ localStorage.setItem('quarry.key', {JsonSerializer.Serialize(key)}); localStorage.setItem('quarry.kb', '{KnowledgeBase}'); sessionStorage.setItem('seeded', '1'); }}");
        await page.GotoAsync(Server.BaseAddress.ToString());
        await Assertions.Expect(page.Locator("#kb-select")).ToHaveValueAsync(KnowledgeBase);
        return page;
    }

    /// <summary>Conversations are server-side sessions of the caller: each page gets a new key of the same role, so one
    /// test's chats never appear in another's list (as two users' would not).</summary>
    internal async Task<string> OwnKeyAsync(string key)
    {
        var role = key == Admin ? "admin" : key == Reader ? "reader" : null;
        if (role is null) return key;
        using var admin = Server.Client(Admin);
        var created = await (await admin.PostJsonAsync("/v1/keys", new { role, name = "ui page" })).JsonAsync(HttpStatusCode.Created);
        return created.GetProperty("key").GetString()!;
    }

    public static string Shot(string name) => Browser.ScreenshotPath(name, "ui-screenshots");

    public async Task DisposeAsync()
    {
        if (Chromium is not null) await Chromium.DisposeAsync();
        _playwright?.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>The UI test classes share one server and browser (starting them and ingesting 41 documents is the slow part).</summary>
[CollectionDefinition(Name)]
public sealed class UiCollection : ICollectionFixture<UiFixture>
{
    public const string Name = "ui";
}
