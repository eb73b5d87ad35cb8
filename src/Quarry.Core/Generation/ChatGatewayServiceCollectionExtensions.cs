using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Quarry.Generation;

public static class ChatGatewayServiceCollectionExtensions
{
    /// <summary>
    /// Registers the chat gateway, with <see cref="ChatGatewayOptions"/> validated at start-up, as the keyed
    /// Microsoft.Extensions.AI <c>IChatClient</c> <see cref="ChatClientServiceCollectionExtensions.GatewayKey"/>. Each
    /// provider named in the options must be registered under that name by
    /// <see cref="ChatClientServiceCollectionExtensions.AddQuarryChatClient(IServiceCollection, string, int)"/> (an
    /// app's <c>IChatClient</c>) or <c>AddQuarryOpenAIChatProvider</c>.
    /// </summary>
    public static IServiceCollection AddQuarryChatGateway(this IServiceCollection services, Action<ChatGatewayOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ChatGatewayOptions>();
        if (configure is not null)
            options.Configure(configure);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChatGatewayOptions>, ChatGatewayOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IChatModel>(CreateGateway);
        // App code (and Quarry's hosts) reach the gateway through the standard abstraction.
        services.TryAddKeyedSingleton<Microsoft.Extensions.AI.IChatClient>(ChatClientServiceCollectionExtensions.GatewayKey,
            (sp, _) => sp.GetRequiredService<IChatModel>().AsChatClient());
        return services;
    }

    private static IChatModel CreateGateway(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ChatGatewayOptions>>().Value;
        var time = services.GetRequiredService<TimeProvider>();
        var loggers = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var logger = loggers.CreateLogger<ChatGateway>();
        var all = options.Providers
            .Select(p => new ChatProvider(services.GetRequiredKeyedService<IChatModel>(p.Name), p, time, logger))
            .ToList();
        var chain = options.Chain.Select(name => all.First(p => p.Name == name)).ToList();
        var gateway = new ChatGateway(chain, all, options, time, logger);
        return services.GetService<Spending.UsageMeter>() is { } meter
            ? new Spending.MeteredChatModel(gateway, meter, services.GetService<Tokenization.ITokenCounter>() ?? Tokenization.BertWordPieceTokenizer.Default)
            : gateway;
    }
}
