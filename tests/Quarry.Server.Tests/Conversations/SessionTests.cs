using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests.Conversations;

/// <summary>
/// Server-side sessions on the real server in API-key mode, without a chat model: a pronoun follow-up in a session is
/// rewritten by the rule and retrieves the right document, turns are appended from JSON, streamed and OpenAI-style
/// asks, and a session is visible only to its own caller and tenant (404 otherwise, never its content).
/// </summary>
public sealed class SessionTests(SessionTests.Fixture fixture) : IClassFixture<SessionTests.Fixture>
{
    internal const string Zephyr = "# Zephyr Bridge\n\nThe Zephyr Bridge crosses the Linden River at Marrow Falls. The Zephyr Bridge opened to traffic in 1931 after four years of construction. It carries six lanes of road traffic over the river.\n";
    internal const string Harbor = "# Harbor Tunnel\n\nThe Harbor Tunnel runs beneath Gull Bay. The tunnel carries two railway tracks, and it carries freight trains at night. What it carries by day is mostly commuters.\n";
    internal const string First = "When did the Zephyr Bridge open?";
    internal const string FollowUp = "What does it carry?";

    [Fact]
    public async Task A_pronoun_follow_up_in_a_session_is_rewritten_and_retrieves_the_documents_of_the_first_question()
    {
        using var client = fixture.Client(fixture.Reader);
        var session = await CreateAsync(client, "docs");

        var first = await (await client.PostJsonAsync("/v1/ask", new { question = First, sessionId = session })).JsonAsync(HttpStatusCode.OK);
        first.GetProperty("rewrittenQuery").ValueKind.Should().Be(JsonValueKind.Null, "a first question has nothing to lean on");
        var second = await (await client.PostJsonAsync("/v1/ask", new { question = FollowUp, sessionId = session })).JsonAsync(HttpStatusCode.OK);
        second.GetProperty("rewrittenQuery").GetString().Should().Contain("Zephyr").And.StartWith(FollowUp);
        CitedTitles(second).Should().NotBeEmpty().And.OnlyContain(t => t == "Zephyr Bridge");

        // The control: the same words without the conversation retrieve the other document.
        var alone = await (await client.PostJsonAsync("/v1/ask", new { question = FollowUp, knowledgeBase = "docs" })).JsonAsync(HttpStatusCode.OK);
        alone.GetProperty("rewrittenQuery").ValueKind.Should().Be(JsonValueKind.Null);
        CitedTitles(alone).Should().NotBeEmpty().And.OnlyContain(t => t == "Harbor Tunnel");

        var detail = await (await client.GetAsync($"/v1/sessions/{session}")).JsonAsync(HttpStatusCode.OK);
        detail.GetProperty("session").GetProperty("turns").GetInt32().Should().Be(2);
        var turns = detail.GetProperty("turns").EnumerateArray().ToList();
        turns.Select(t => t.GetProperty("question").GetString()).Should().Equal(First, FollowUp);
        turns[1].GetProperty("rewrittenQuery").GetString().Should().Contain("Zephyr");
        turns[1].GetProperty("answer").GetString().Should().Be(second.GetProperty("text").GetString());
        turns[1].GetProperty("citations").GetArrayLength().Should().Be(second.GetProperty("citations").GetArrayLength());
    }

    [Fact]
    public async Task Streamed_and_openai_style_asks_append_their_turns()
    {
        using var client = fixture.Client(fixture.Reader);
        var session = await CreateAsync(client, "docs");

        using var sse = new HttpRequestMessage(HttpMethod.Post, "/v1/ask") { Content = Json(new { question = First, sessionId = session }) };
        sse.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var stream = await (await client.SendAsync(sse)).Content.ReadAsStringAsync();
        stream.Should().Contain("event: done");

        var completion = await (await client.PostJsonAsync("/v1/chat/completions", new { model = "docs", session_id = session, messages = new[] { new { role = "user", content = FollowUp } } }))
            .JsonAsync(HttpStatusCode.OK);
        completion.GetProperty("quarry").GetProperty("rewrittenQuery").GetString().Should().Contain("Zephyr");

        using var headed = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(new { model = "docs", stream = true, messages = new[] { new { role = "user", content = "Who built it?" } } }) };
        headed.Headers.Add("X-Session-Id", session);
        (await (await client.SendAsync(headed)).Content.ReadAsStringAsync()).Should().Contain("[DONE]");

        var detail = await (await client.GetAsync($"/v1/sessions/{session}")).JsonAsync(HttpStatusCode.OK);
        detail.GetProperty("turns").EnumerateArray().Select(t => t.GetProperty("question").GetString()).Should().Equal(First, FollowUp, "Who built it?");
    }

    [Fact]
    public async Task Another_callers_or_tenants_session_is_not_found_and_never_shown()
    {
        using var owner = fixture.Client(fixture.Reader);
        var session = await CreateAsync(owner, "docs");
        (await owner.PostJsonAsync("/v1/ask", new { question = First, sessionId = session })).StatusCode.Should().Be(HttpStatusCode.OK);

        foreach (var key in new[] { fixture.OtherReader, fixture.OtherTenant })
        {
            using var other = fixture.Client(key);
            var body = await (await other.GetAsync($"/v1/sessions/{session}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
            body.ToString().Should().NotContain("Zephyr");
            await (await other.PostJsonAsync("/v1/ask", new { question = FollowUp, sessionId = session, knowledgeBase = "docs" })).ProblemAsync(HttpStatusCode.NotFound, "not-found");
            await (await other.PostJsonAsync("/v1/chat/completions", new { model = "docs", session_id = session, messages = new[] { new { role = "user", content = FollowUp } } }))
                .ProblemAsync(HttpStatusCode.NotFound, "not-found");
            await (await other.DeleteAsync($"/v1/sessions/{session}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
            var list = await (await other.GetAsync("/v1/sessions")).JsonAsync(HttpStatusCode.OK);
            list.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetString()).Should().NotContain(session);
        }
        await (await owner.GetAsync("/v1/sessions/ses_0123456789abcdef01234567")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await owner.GetAsync("/v1/sessions/not-a-session-id")).ProblemAsync(HttpStatusCode.NotFound, "not-found");

        var listed = await (await owner.GetAsync("/v1/sessions")).JsonAsync(HttpStatusCode.OK);
        listed.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetString()).Should().Contain(session);
        (await owner.DeleteAsync($"/v1/sessions/{session}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        await (await owner.GetAsync($"/v1/sessions/{session}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Sessions_keep_only_the_newest_turns_and_are_audited()
    {
        using var client = fixture.Client(fixture.Reader);
        var session = await CreateAsync(client, "docs");
        for (var i = 0; i < 4; i++)
            (await client.PostJsonAsync("/v1/ask", new { question = $"When did the Zephyr Bridge open? ({i})", sessionId = session })).StatusCode.Should().Be(HttpStatusCode.OK);
        var detail = await (await client.GetAsync($"/v1/sessions/{session}")).JsonAsync(HttpStatusCode.OK);
        detail.GetProperty("turns").EnumerateArray().Select(t => t.GetProperty("ordinal").GetInt32()).Should().Equal(2, 3, 4);

        (await (await client.PatchAsync($"/v1/sessions/{session}", Json(new { title = "Bridges" }))).JsonAsync(HttpStatusCode.OK))
            .GetProperty("title").GetString().Should().Be("Bridges");
        await (await client.PostJsonAsync("/v1/sessions", new { knowledgeBase = "nowhere" })).ProblemAsync(HttpStatusCode.NotFound, "not-found");

        using var admin = fixture.Client(fixture.Admin);
        var records = new List<JsonElement>();
        for (var attempt = 0; attempt < 50 && records.Count < 2; attempt++)
        {
            await Task.Delay(200);
            var created = await (await admin.GetAsync("/v1/audit?route=session.created&limit=100")).JsonAsync(HttpStatusCode.OK);
            var asked = await (await admin.GetAsync("/v1/audit?route=ask&limit=100")).JsonAsync(HttpStatusCode.OK);
            records = [.. created.GetProperty("items").EnumerateArray().Concat(asked.GetProperty("items").EnumerateArray())
                .Where(r => r.TryGetProperty("subject", out var s) && s.GetString() == session)];
        }
        records.Select(r => r.GetProperty("route").GetString()).Should().Contain(["session.created", "ask"]);
    }

    private static IEnumerable<string> CitedTitles(JsonElement answer) =>
        answer.GetProperty("citations").EnumerateArray().Select(c => c.GetProperty("title").GetString()!);

    internal static async Task<string> CreateAsync(HttpClient client, string? kb)
    {
        var created = await (await client.PostJsonAsync("/v1/sessions", new { knowledgeBase = kb })).JsonAsync(HttpStatusCode.Created);
        return created.GetProperty("id").GetString()!;
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    public sealed class Fixture : IAsyncLifetime
    {
        internal ServerProcess Server { get; } = new ServerProcess().With("QUARRY_Conversations__MaxTurns", "3");
        public string Admin { get; private set; } = "";
        public string Reader { get; private set; } = "";
        public string OtherReader { get; private set; } = "";
        public string OtherTenant { get; private set; } = "";

        public async Task InitializeAsync()
        {
            Admin = await Server.CreateKeyAsync("alpha", "admin");
            Reader = await Server.CreateKeyAsync("alpha", "reader");
            OtherReader = await Server.CreateKeyAsync("alpha", "reader");
            var otherAdmin = await Server.CreateKeyAsync("beta", "admin");
            OtherTenant = await Server.CreateKeyAsync("beta", "reader");
            await Server.StartAsync();
            foreach (var key in new[] { Admin, otherAdmin })
            {
                using var admin = Server.Client(key);
                await admin.CreateKnowledgeBaseAsync("docs");
                await admin.IngestAsync("docs", "zephyr.md", Zephyr);
                await admin.IngestAsync("docs", "harbor.md", Harbor);
            }
        }

        public async Task DisposeAsync() => await Server.DisposeAsync();

        internal HttpClient Client(string key) => Server.Client(key);
    }
}
