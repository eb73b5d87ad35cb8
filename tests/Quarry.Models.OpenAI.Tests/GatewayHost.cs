using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Testing;

namespace Quarry.Models.OpenAI.Tests;

/// <summary>
/// Builds the gateway as the CLI does (configuration → AddQuarryOpenAIChat) over two servers: "primary" (model
/// gpt-big) and "secondary" (gpt-small). Overrides are keys under Models:Chat; a null value removes the key.
/// </summary>
internal static class GatewayHost
{
    public static ServiceProvider Build(FakeChatServer primary, FakeChatServer secondary, TimeProvider? time, IEnumerable<(string Key, string? Value)> overrides)
    {
        var values = new Dictionary<string, string?>
        {
            ["Models:Chat:Providers:0:Name"] = "primary",
            ["Models:Chat:Providers:0:Endpoint"] = primary.Endpoint.ToString(),
            ["Models:Chat:Providers:0:ApiKey"] = "sk-primary",
            ["Models:Chat:Providers:0:Model"] = "gpt-big",
            ["Models:Chat:Providers:0:RetryDelay"] = "00:00:00.001",
            ["Models:Chat:Providers:1:Name"] = "secondary",
            ["Models:Chat:Providers:1:Endpoint"] = secondary.Endpoint.ToString(),
            ["Models:Chat:Providers:1:Model"] = "gpt-small",
            ["Models:Chat:Providers:1:RetryDelay"] = "00:00:00.001",
            ["Models:Chat:Fallback"] = "primary,secondary",
        };
        foreach (var (key, value) in overrides)
        {
            if (value is null)
                values.Remove("Models:Chat:" + key);
            else
                values["Models:Chat:" + key] = value;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddQuarryOpenAIChat(configuration.GetSection("Models:Chat"));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
