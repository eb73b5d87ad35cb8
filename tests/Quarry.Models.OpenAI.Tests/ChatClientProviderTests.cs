using System.ClientModel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenAI;
using Quarry.Generation;
using Quarry.Testing;
using ChatMessage = Quarry.Generation.ChatMessage;
using ChatRole = Quarry.Generation.ChatRole;

namespace Quarry.Models.OpenAI.Tests;

/// <summary>
/// An app's Microsoft.Extensions.AI <see cref="IChatClient"/> (here the official OpenAI SDK through
/// Microsoft.Extensions.AI.OpenAI, talking to a loopback server) joins the gateway by configuration, and the gateway's
/// retries, routing and fallback wrap it like any other provider.
/// </summary>
public sealed class ChatClientProviderTests : IAsyncLifetime
{
    private readonly FakeChatServer _server = new();
    private readonly FakeChatServer _cheap = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _cheap.DisposeAsync();
    }

    private ServiceProvider Build(params (string Key, string Value)[] extra)
    {
        var values = new Dictionary<string, string?>
        {
            ["Models:Chat:Providers:0:Name"] = "app",
            ["Models:Chat:Providers:0:Kind"] = "chatclient",
            ["Models:Chat:Providers:0:ContextWindow"] = "16000",
            ["Models:Chat:Providers:0:RetryDelay"] = "00:00:00.001",
            ["Models:Chat:Providers:1:Name"] = "cheap",
            ["Models:Chat:Providers:1:Endpoint"] = _cheap.Endpoint.ToString(),
            ["Models:Chat:Providers:1:Model"] = "gpt-small",
            ["Models:Chat:Fallback"] = "app",
        };
        foreach (var (key, value) in extra) values["Models:Chat:" + key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        // What an app that already uses Microsoft.Extensions.AI has: its own IChatClient.
        services.AddChatClient(new global::OpenAI.Chat.ChatClient("gpt-app", new ApiKeyCredential("sk-app"),
            new OpenAIClientOptions { Endpoint = _server.Endpoint, RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) }).AsIChatClient());
        services.AddQuarryOpenAIChat(configuration.GetSection("Models:Chat"));
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        provider.GetRequiredService<IStartupValidator>().Validate();
        return provider;
    }

    private static ChatRequest Ask(string question, ChatRouteHints? hints = null) =>
        new([new ChatMessage(ChatRole.System, "Answer from the evidence."), new ChatMessage(ChatRole.User, question)], 64, Temperature: 0.3f, Routing: hints);

    [Fact]
    public async Task An_app_side_IChatClient_answers_through_the_gateway_with_usage_and_options_on_the_wire()
    {
        using var services = Build();
        var gateway = services.GetRequiredService<IChatModel>();
        _server.Then(ChatReply.Answer("Twenty-five days [1].", promptTokens: 40, completionTokens: 6));

        var completion = await gateway.CompleteAsync(Ask("How many vacation days?"), CancellationToken.None);

        completion.Text.Should().Be("Twenty-five days [1].");
        completion.Model.Should().Be("openai:gpt-app");
        completion.Usage.Should().Be(new TokenUsage(40, 6));
        gateway.ContextWindow.Should().BeLessThanOrEqualTo(16000);
        var wire = _server.Requests.Should().ContainSingle().Subject;
        wire.Model.Should().Be("gpt-app");
        wire.Temperature.Should().BeApproximately(0.3, 1e-6);
        wire.Messages.Select(m => m.Role).Should().Equal("system", "user");
    }

    [Fact]
    public async Task Its_stream_arrives_as_deltas_with_the_usage_and_a_503_is_retried()
    {
        using var services = Build();
        var gateway = services.GetRequiredService<IChatModel>();
        _server.Then(ChatReply.Status(503)).Then(ChatReply.Answer("Twenty-five days [1].", promptTokens: 40, completionTokens: 6));

        var updates = new List<ChatUpdate>();
        await foreach (var update in gateway.StreamAsync(Ask("How many vacation days?"), CancellationToken.None)) updates.Add(update);

        string.Concat(updates.Select(u => u.TextDelta)).Should().Be("Twenty-five days [1].");
        updates.Select(u => u.Usage).Last(u => u is not null).Should().Be(new TokenUsage(40, 6));
        _server.Requests.Should().HaveCount(2, "the SDK's 503 is a transient provider failure the gateway retries");
        _server.Requests[^1].IncludeUsage.Should().BeTrue();
    }

    [Fact]
    public async Task Routing_rules_and_a_requested_provider_choose_who_answers()
    {
        using var services = Build(("Routing:Rules:0:Name", "short"), ("Routing:Rules:0:Provider", "cheap"), ("Routing:Rules:0:MaxQuestionWords", "4"));
        var gateway = services.GetRequiredService<IChatModel>();

        var routed = await gateway.CompleteAsync(Ask("vacation days?", new ChatRouteHints(2, 100, "question")), CancellationToken.None);
        var kept = await gateway.CompleteAsync(Ask("how many vacation days per year?", new ChatRouteHints(6, 100, "question")), CancellationToken.None);
        var requested = await gateway.CompleteAsync(Ask("vacation days?", new ChatRouteHints(2, 100, "question", RequestedProvider: "app")), CancellationToken.None);
        var unknown = () => gateway.CompleteAsync(Ask("vacation days?", new ChatRouteHints(2, 100, "question", RequestedProvider: "ghost")), CancellationToken.None);

        routed.Model.Should().Be("openai:gpt-small");
        kept.Model.Should().Be("openai:gpt-app");
        requested.Model.Should().Be("openai:gpt-app");
        await unknown.Should().ThrowAsync<UnknownChatModelException>().WithMessage("*ghost*app, cheap*");
    }

    [Fact]
    public void A_rule_naming_an_unknown_provider_fails_start_up()
    {
        var act = () => Build(("Routing:Rules:0:Name", "short"), ("Routing:Rules:0:Provider", "ghost"));

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainSingle()
            .Which.Should().StartWith("Models:Chat:Routing:Rules:0:Provider 'ghost' is not one of the configured providers");
    }

    [Fact]
    public async Task The_gateway_is_itself_an_IChatClient_for_app_code()
    {
        using var services = Build(("Routing:Rules:0:Name", "short"), ("Routing:Rules:0:Provider", "cheap"), ("Routing:Rules:0:MaxQuestionWords", "4"));
        var client = services.GetRequiredKeyedService<IChatClient>(ChatClientServiceCollectionExtensions.GatewayKey);
        _cheap.Then(ChatReply.Answer("Hi there.", promptTokens: 9, completionTokens: 2));

        var response = await client.GetResponseAsync([new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.User, "Say hello")],
            new ChatOptions { ModelId = "cheap", MaxOutputTokens = 20, AdditionalProperties = new() { ["quarry.tenant"] = "acme" } });
        var streamed = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("Say hello again")) streamed.Add(update);

        response.Text.Should().Be("Hi there.");
        response.ModelId.Should().Be("openai:gpt-small", "ModelId names the provider to try first");
        response.Usage!.InputTokenCount.Should().Be(9);
        _cheap.Requests[0].MaxCompletionTokens.Should().Be(20);
        string.Concat(streamed.Select(u => u.Text)).Should().NotBeEmpty();
        client.GetService<ChatClientMetadata>()!.ProviderName.Should().Be("quarry");
        var act = () => client.GetResponseAsync([new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.User, [new DataContent(new byte[] { 1 }, "image/png")])]);
        await act.Should().ThrowAsync<NotSupportedException>();
    }
}
