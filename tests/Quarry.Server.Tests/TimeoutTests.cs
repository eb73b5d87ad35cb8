using System.Net;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>A route over its time limit answers 504 with a problem document, and other routes keep their own limits.</summary>
public sealed class TimeoutTests : IAsyncLifetime
{
    private readonly ServerProcess _server = new ServerProcess().With("QUARRY_Server__Limits__SearchTimeout", "00:00:00.001");

    public Task InitializeAsync() => _server.StartAsync("--dev");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_search_over_its_time_limit_is_a_504_problem()
    {
        using var client = _server.Client();
        await client.CreateKnowledgeBaseAsync("docs");
        await client.IngestAsync("docs", "a.md", "# Alpha\n\nThe alpha document talks about timeouts and limits.");
        var problem = await (await client.PostJsonAsync("/v1/search", new { query = "timeouts and limits", knowledgeBase = "docs" }))
            .ProblemAsync(HttpStatusCode.GatewayTimeout, "timeout");
        problem.GetProperty("detail").GetString().Should().Contain("1 ms");
        (await client.GetAsync("/v1/knowledge-bases/docs/documents")).StatusCode.Should().Be(HttpStatusCode.OK, "other routes have their own limit");
    }
}
