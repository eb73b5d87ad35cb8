using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Quarry.Generation;

public static class ChatClientServiceCollectionExtensions
{
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
        services.AddKeyedSingleton<IChatModel>(name, (sp, _) => new ChatClientModel(
            sp.GetKeyedService<IChatClient>(name) ?? sp.GetRequiredService<IChatClient>(), name, contextWindow));
        return services;
    }

    /// <summary>Quarry's gateway (the registered <see cref="IChatModel"/>, with its limits, fallback, routing and
    /// metering) as a Microsoft.Extensions.AI <see cref="IChatClient"/> for the app's own code.</summary>
    public static IChatClient AsChatClient(this IChatModel gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        return new GatewayChatClient(gateway);
    }
}
