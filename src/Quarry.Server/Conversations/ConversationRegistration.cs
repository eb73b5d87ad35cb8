using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Conversations;

namespace Quarry.Server.Conversations;

internal static class ConversationRegistration
{
    /// <summary>Sessions (<c>Conversations</c> section, validated at start-up) and their retention sweep.</summary>
    public static IServiceCollection AddQuarryServerConversations(this IServiceCollection services)
    {
        // QuarryEngine binds the section (the CLI's rewriting reads it too).
        services.AddQuarryConversations();
        services.AddSingleton<Sessions>();
        return services;
    }

    public static void MapQuarrySessions(this RouteGroupBuilder v1) => SessionEndpoints.Map(v1);
}
