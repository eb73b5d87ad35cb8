using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Quarry.Generation;

namespace Quarry.Models.OpenAI;

public static class OpenAIChatServiceCollectionExtensions
{
    /// <summary>
    /// Reads chat providers and the fallback chain from <paramref name="section"/> (<c>Models:Chat</c>), registers each
    /// provider as an OpenAI-compatible Microsoft.Extensions.AI chat client and the gateway (the keyed IChatClient <see cref="ChatClientServiceCollectionExtensions.GatewayKey"/>). Keys per provider
    /// (<c>Providers:N:…</c>): Name, Endpoint, ApiKey, Model, Deployment, ApiVersion, ContextWindow,
    /// MaxTokensParameter, Timeout, MaxRetries, RetryDelay, MaxRetryDelay, CircuitBreaker:*, RateLimit:*; and for the
    /// chain: Fallback (a list, or names separated by commas), StreamIdleTimeout, TenantRateLimit:*. Everything is
    /// validated at start-up.
    /// </summary>
    public static IServiceCollection AddQuarryOpenAIChat(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        var prefix = section is IConfigurationSection s ? s.Path : ChatGatewayOptions.SectionName;
        var index = 0;
        foreach (var entry in section.GetSection("Providers").GetChildren())
        {
            // An unnamed entry still gets a key of its own; the gateway's validation reports the missing name.
            var name = string.IsNullOrWhiteSpace(entry["Name"]) ? entry.Path : entry["Name"]!;
            var describedAs = $"{prefix}:Providers:{index++} ({name})";
            // The app registers that provider's IChatClient itself; the gateway wraps it like any other.
            if (string.Equals(entry["Kind"], "chatclient", StringComparison.OrdinalIgnoreCase))
                services.AddQuarryChatClient(name, int.TryParse(entry["ContextWindow"], out var window) ? window : 128_000);
            else
                services.AddQuarryOpenAIChatProvider(name, entry.Bind, describedAs);
        }
        services.AddQuarryChatGateway(o =>
        {
            section.Bind(o);
            // Environment variables make a list awkward: QUARRY_Models__Chat__Fallback=primary,backup reads naturally.
            if (section["Fallback"] is { Length: > 0 } flat)
                o.Fallback = [.. flat.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        });
        return services;
    }

    /// <summary>
    /// Registers one OpenAI-compatible chat endpoint as a provider named <paramref name="name"/> (a keyed
    /// <see cref="IChatClient"/>, wrapped by the gateway), options validated at start-up. Add it to the chain with
    /// <see cref="ChatGatewayServiceCollectionExtensions.AddQuarryChatGateway"/>.
    /// </summary>
    public static IServiceCollection AddQuarryOpenAIChatProvider(this IServiceCollection services, string name, Action<OpenAIChatProviderOptions> configure) =>
        services.AddQuarryOpenAIChatProvider(name, configure, $"Chat provider '{name}'");

    private static IServiceCollection AddQuarryOpenAIChatProvider(this IServiceCollection services, string name, Action<OpenAIChatProviderOptions> configure, string describedAs)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<OpenAIChatProviderOptions>(name)
            .Configure(o =>
            {
                o.Name = name;
                configure(o);
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<OpenAIChatProviderOptions>>(new OpenAIChatProviderOptionsValidator(name, describedAs));
        services.TryAddSingleton(TimeProvider.System);
        // The provider is a Microsoft.Extensions.AI client (resolvable by its name for app code), and the gateway wraps
        // it like any other client.
        services.AddKeyedSingleton<IChatClient>(name, (sp, _) => new OpenAIChatClient(
            sp.GetRequiredService<IOptionsMonitor<OpenAIChatProviderOptions>>().Get(name),
            sp.GetRequiredService<TimeProvider>()));
        return services.AddQuarryChatClient(name,
            sp => sp.GetRequiredKeyedService<IChatClient>(name),
            sp => sp.GetRequiredService<IOptionsMonitor<OpenAIChatProviderOptions>>().Get(name).ContextWindow);
    }
}
