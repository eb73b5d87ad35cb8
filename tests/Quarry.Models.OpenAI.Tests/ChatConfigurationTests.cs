using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quarry.Generation;
using Quarry.Testing;

namespace Quarry.Models.OpenAI.Tests;

/// <summary>Chat configuration is checked at start-up; each mistake is one sentence naming its key.</summary>
public sealed class ChatConfigurationTests : IAsyncLifetime
{
    private readonly FakeChatServer _primary = new();
    private readonly FakeChatServer _secondary = new();

    [Theory]
    [InlineData("Providers:0:Endpoint", null, "Models:Chat:Providers:0 (primary) has no Endpoint: set it to the server's base URL")]
    [InlineData("Providers:0:Endpoint", "localhost:11434/v1", "Models:Chat:Providers:0 (primary) Endpoint 'localhost:11434/v1' is not an absolute http(s) URL")]
    [InlineData("Providers:1:Model", null, "Models:Chat:Providers:1 (secondary) has no Model")]
    [InlineData("Fallback", "primary,ghost", "Models:Chat:Fallback names 'ghost', which is not one of the configured providers (primary, secondary).")]
    [InlineData("Fallback", "primary,primary", "Models:Chat:Fallback lists 'primary' twice")]
    [InlineData("Providers:1:Timeout", "-00:00:05", "Models:Chat:Providers:1 (secondary) Timeout is -00:00:05: use a positive duration")]
    [InlineData("Providers:0:CircuitBreaker:MinimumThroughput", "1", "Models:Chat:Providers:0 (primary) CircuitBreaker:MinimumThroughput is 1: use at least 2.")]
    [InlineData("Providers:0:RateLimit:RequestsPerMinute", "-3", "Models:Chat:Providers:0 (primary) RateLimit:RequestsPerMinute is -3")]
    [InlineData("TenantRateLimit:RequestsPerMinute", "0", "Models:Chat:TenantRateLimit:RequestsPerMinute is 0")]
    [InlineData("StreamIdleTimeout", "00:00:00", "Models:Chat:StreamIdleTimeout is 00:00:00")]
    [InlineData("Providers:0:MaxTokensParameter", "max_new_tokens", "MaxTokensParameter is 'max_new_tokens': use max_completion_tokens or max_tokens.")]
    public void A_configuration_mistake_fails_start_up_with_one_sentence_naming_the_key(string key, string? value, string expected)
    {
        using var services = GatewayHost.Build(_primary, _secondary, null, [(key, value)]);

        var act = () => services.GetRequiredService<IStartupValidator>().Validate();

        var failure = act.Should().Throw<OptionsValidationException>().Which;
        failure.Failures.Should().ContainSingle().Which.Should().Contain(expected);
    }

    [Fact]
    public void Two_providers_of_one_name_are_reported()
    {
        using var services = GatewayHost.Build(_primary, _secondary, null, [("Providers:0:Name", "secondary"), ("Fallback", null)]);

        var act = () => services.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainSingle()
            .Which.Should().Be("Models:Chat:Providers:1:Name 'secondary' is used by another provider: provider names must be unique.");
    }

    [Fact]
    public void No_providers_at_all_is_reported_as_such()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Models:Chat:StreamIdleTimeout"] = "00:00:30" }).Build();
        using var services = new ServiceCollection().AddQuarryOpenAIChat(configuration.GetSection("Models:Chat")).BuildServiceProvider();

        var act = () => services.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainSingle()
            .Which.Should().StartWith("Models:Chat:Providers is empty");
    }

    [Fact]
    public void Without_Fallback_the_chain_is_the_providers_in_order_and_Azure_entries_bind()
    {
        using var services = GatewayHost.Build(_primary, _secondary, null, [
            ("Fallback", null),
            ("Providers:1:Model", null),
            ("Providers:1:Deployment", "gpt4o-prod"),
            ("Providers:1:Endpoint", "https://contoso.openai.azure.com"),
        ]);
        services.GetRequiredService<IStartupValidator>().Validate();

        var gateway = (ChatGateway)services.GetRequiredService<IChatModel>();

        gateway.Chain.Select(p => p.Model.ModelId).Should().Equal("openai:gpt-big", "azure:gpt4o-prod");
    }

    [Fact]
    public void A_chat_model_registered_in_code_can_join_the_chain()
    {
        using var services = new ServiceCollection()
            .AddQuarryOpenAIChatProvider("local", o =>
            {
                o.Endpoint = new Uri("http://localhost:11434/v1");
                o.Model = "llama3.1";
                o.MaxTokensParameter = OpenAIChatProviderOptions.MaxTokens;
            })
            .AddQuarryChatGateway(o => o.Providers.Add(new ChatProviderOptions { Name = "local" }))
            .BuildServiceProvider();
        services.GetRequiredService<IStartupValidator>().Validate();

        services.GetRequiredService<IChatModel>().ModelId.Should().Be("openai:llama3.1");
    }

    [Fact]
    public void A_provider_in_the_options_without_a_registered_model_is_reported()
    {
        using var services = new ServiceCollection()
            .AddQuarryChatGateway(o => o.Providers.Add(new ChatProviderOptions { Name = "ghost" }))
            .BuildServiceProvider();

        var act = () => services.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainSingle()
            .Which.Should().Contain("(ghost) has no chat model registered under that name");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _primary.DisposeAsync();
        await _secondary.DisposeAsync();
    }
}
