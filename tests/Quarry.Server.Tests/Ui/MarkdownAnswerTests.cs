using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests.Ui;

/// <summary>A written answer streamed from a chat model (a loopback OpenAI-compatible server) renders as Markdown: a
/// code block with a copy button, no raw HTML from the model or the sources, and no extractive hint.</summary>
public sealed class MarkdownAnswerTests : IAsyncLifetime
{
    private readonly LoopbackChat _chat = new();
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
        await page.ScreenshotAsync(new() { Path = UiFixture.Shot($"answer-markdown-{width}") });
        await page.CloseAsync();
    }

    /// <summary>Streams the first evidence sentence with [1], then a fenced code block and a line of raw HTML.</summary>
    private sealed class LoopbackChat : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public LoopbackChat()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Endpoint = new Uri($"http://127.0.0.1:{port}/v1");
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _loop = Task.Run(LoopAsync);
        }

        public Uri Endpoint { get; }

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                using var response = context.Response;
                var body = (await JsonNode.ParseAsync(context.Request.InputStream))!;
                var prompt = string.Join("\n", body["messages"]!.AsArray().Select(m => m!["content"]?.ToString() ?? ""));
                var answer = FirstEvidenceSentence(prompt) + " [1]\n\n```bash\npip install fastapi\n```\n\nLogs look like <font color=\"red\">INFO</font> lines.";
                var streamed = body["stream"]?.GetValue<bool>() == true;
                response.ContentType = streamed ? "text/event-stream" : "application/json";
                var text = streamed ? Stream(answer) : Completion(answer);
                await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(text));
            }
        }

        private static string Completion(string answer) => new JsonObject
        {
            ["id"] = "c1", ["object"] = "chat.completion", ["model"] = "gpt-test",
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = answer }, ["finish_reason"] = "stop" }),
        }.ToJsonString();

        private static string Stream(string answer)
        {
            var sse = new StringBuilder();
            for (var i = 0; i < answer.Length; i += 12)
                sse.Append("data: ").Append(Chunk(new JsonObject { ["content"] = answer.Substring(i, Math.Min(12, answer.Length - i)) }, null)).Append("\n\n");
            sse.Append("data: ").Append(Chunk(new JsonObject(), "stop")).Append("\n\n").Append("data: [DONE]\n\n");
            return sse.ToString();
        }

        private static string Chunk(JsonObject delta, string? finish) => new JsonObject
        {
            ["id"] = "c1", ["object"] = "chat.completion.chunk", ["model"] = "gpt-test",
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
        }.ToJsonString();

        // Evidence blocks are fenced by <<< and >>>: repeating the first block's first sentence makes the answer verify.
        private static string FirstEvidenceSentence(string prompt)
        {
            var open = prompt.IndexOf("<<<", StringComparison.Ordinal);
            var close = open < 0 ? -1 : prompt.IndexOf(">>>", open, StringComparison.Ordinal);
            if (close < 0) return "Not found in the knowledge base.";
            var text = prompt[(open + 3)..close].Trim();
            var end = text.IndexOf(". ", StringComparison.Ordinal);
            return end < 0 ? text : text[..(end + 1)];
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Close();
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
