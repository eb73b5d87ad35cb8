using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Quarry.Generation;
using Quarry.Tokenization;

namespace Quarry.Conversations;

public static class ConversationsServiceCollectionExtensions
{
    /// <summary>Registers the <see cref="FollowUpRewriter"/> (with the chat model when an <see cref="IChatModel"/> is
    /// registered) and the validated <see cref="ConversationOptions"/>. <c>AddQuarryAnswering</c> calls it.</summary>
    public static IServiceCollection AddQuarryFollowUpRewriting(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddOptions(services);
        services.AddQuarryTokenization();
        services.TryAddSingleton(sp => new FollowUpRewriter(
            sp.GetService<IChatModel>(),
            sp.GetRequiredService<ITokenCounter>(),
            sp.GetRequiredService<IOptions<ConversationOptions>>(),
            sp.GetService<ILogger<FollowUpRewriter>>() ?? NullLogger<FollowUpRewriter>.Instance));
        return services;
    }

    /// <summary>Registers server-side sessions: options and the retention sweep. A store providing
    /// <see cref="IConversationStore"/> must be registered too.</summary>
    public static IServiceCollection AddQuarryConversations(this IServiceCollection services, Action<ConversationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = AddOptions(services);
        if (configure is not null) options.Configure(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IHostedService, ConversationRetentionSweep>();
        return services;
    }

    private static OptionsBuilder<ConversationOptions> AddOptions(IServiceCollection services) =>
        services.AddOptions<ConversationOptions>().ValidateDataAnnotations()
            .Validate(o => Validator.TryValidateObject(o.Rewrite, new ValidationContext(o.Rewrite), null, validateAllProperties: true),
                "Conversations:Rewrite has a value out of range.")
            .Validate(o => o.Rewrite.Timeout > TimeSpan.Zero && o.SweepInterval > TimeSpan.Zero,
                "Conversations:Rewrite:Timeout and Conversations:SweepInterval must be positive.")
            .ValidateOnStart();
}
