using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quarry.Cli.Hosting;
using Quarry.Cli.Tests.TestSupport;
using Quarry.Generation;
using Quarry.Server.Hosting;

namespace Quarry.Cli.Tests;

public sealed class ChatConfigurationTests : IDisposable
{
    private readonly QuarryProcess _quarry = new();

    [Fact]
    public void Without_chat_providers_no_chat_model_is_registered()
    {
        var services = new ServiceCollection();

        ChatConfiguration.Add(services, new ConfigurationBuilder().Build()).Should().BeFalse();

        services.Should().NotContain(d => d.ServiceType == typeof(Microsoft.Extensions.AI.IChatClient));
    }

    [Fact]
    public void Providers_from_environment_style_keys_become_the_gateway_chain()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Models:Chat:Providers:0:Name"] = "azure",
            ["Models:Chat:Providers:0:Endpoint"] = "https://contoso.openai.azure.com",
            ["Models:Chat:Providers:0:Deployment"] = "gpt4o-prod",
            ["Models:Chat:Providers:0:ContextWindow"] = "128000",
            ["Models:Chat:Providers:1:Name"] = "local",
            ["Models:Chat:Providers:1:Endpoint"] = "http://localhost:11434/v1",
            ["Models:Chat:Providers:1:Model"] = "llama3.1",
            ["Models:Chat:Providers:1:ContextWindow"] = "32768",
            ["Models:Chat:Fallback"] = "azure, local",
        }).Build();
        var services = new ServiceCollection();

        ChatConfiguration.Add(services, configuration).Should().BeTrue();
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var gateway = provider.GetRequiredKeyedService<Microsoft.Extensions.AI.IChatClient>(ChatClientServiceCollectionExtensions.GatewayKey);
        gateway.GetService(typeof(ChatGatewayInfo)).Should().Be(new ChatGatewayInfo("azure:gpt4o-prod", 32768));
    }

    [Fact]
    public async Task A_chat_provider_without_endpoint_stops_the_cli_with_one_sentence()
    {
        _quarry.WithEnvironment("QUARRY_Models__Chat__Providers__0__Name", "primary")
            .WithEnvironment("QUARRY_Models__Chat__Providers__0__Model", "gpt-4o-mini");

        var result = await _quarry.RunAsync("kb", "list");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Stderr.Should().Contain("Invalid configuration: Models:Chat:Providers:0 (primary) has no Endpoint");
        result.Stderr.Should().NotContain("   at ", "a user sees a sentence, not a stack trace");
    }

    public void Dispose() => _quarry.Dispose();
}
