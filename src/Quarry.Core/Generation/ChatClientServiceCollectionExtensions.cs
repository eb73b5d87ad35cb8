using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Quarry.Generation;

public static class ChatClientServiceCollectionExtensions
{
    /// <summary>The service key of Quarry's gateway as an <see cref="IChatClient"/> (with its limits, fallback, routing
    /// and metering): <c>services.GetRequiredKeyedService&lt;IChatClient&gt;(GatewayKey)</c>. Registered whenever a chat
    /// gateway is. <see cref="ChatGatewayInfo"/> is available from its <c>GetService</c>.</summary>
    public const string GatewayKey = "quarry";

    /// <summary>
    /// Makes an app's Microsoft.Extensions.AI <see cref="IChatClient"/> the gateway provider named
    /// <paramref name="name"/>: the client registered under that key, else the app's unkeyed one (e.g. from
    /// <c>services.AddChatClient(...)</c>). List the name in <see cref="ChatGatewayOptions.Providers"/> (in
    /// configuration: <c>Providers:N:Name</c> with <c>Providers:N:Kind</c> = <c>chatclient</c>).
    /// </summary>
    /// <param name="contextWindow">Tokens the model accepts in one request; the prompt is budgeted against it.</param>
    public static IServiceCollection AddQuarryChatClient(this IServiceCollection services, string name, int contextWindow = 128_000)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(contextWindow, 512);
        return services.AddQuarryChatClient(name, sp => sp.GetKeyedService<IChatClient>(name) ?? sp.GetRequiredService<IChatClient>(), _ => contextWindow);
    }

    /// <summary>
    /// Makes the <see cref="IChatClient"/> that <paramref name="client"/> builds the gateway provider named
    /// <paramref name="name"/>; its context window is read when the provider is first resolved (e.g. from options).
    /// Provider adapters (the OpenAI-compatible one included) register through here, so every provider of the
    /// gateway is a Microsoft.Extensions.AI client.
    /// </summary>
    public static IServiceCollection AddQuarryChatClient(this IServiceCollection services, string name,
        Func<IServiceProvider, IChatClient> client, Func<IServiceProvider, int> contextWindow)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(contextWindow);
        services.AddKeyedSingleton<IChatModel>(name, (sp, _) => new ChatClientModel(client(sp), name, contextWindow(sp)));
        return services;
    }

    /// <summary>The gateway as a Microsoft.Extensions.AI <see cref="IChatClient"/> (what <see cref="GatewayKey"/> resolves to).</summary>
    internal static IChatClient AsChatClient(this IChatModel gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        return new GatewayChatClient(gateway);
    }
}
