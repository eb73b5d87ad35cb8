using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Generation;
using Quarry.Models.OpenAI;

namespace Quarry.Server.Hosting;

/// <summary>
/// Puts the LLM gateway in place (Quarry's answer pipeline uses it; app code gets it as the keyed IChatClient
/// <see cref="ChatClientServiceCollectionExtensions.GatewayKey"/>) when configuration lists chat providers, e.g.
/// <c>QUARRY_Models__Chat__Providers__0__Name=primary</c>, <c>…__Endpoint</c>, <c>…__Model</c>, <c>…__ApiKey</c>
/// (and <c>…__Deployment</c> for Azure OpenAI), <c>QUARRY_Models__Chat__Fallback=primary,backup</c>. Without providers
/// no chat model is registered and answers come from the built-in extractive answerer, offline. See docs/LLM-GATEWAY.md.
/// </summary>
public static class ChatConfiguration
{
    /// <returns>Whether a chat model was registered.</returns>
    public static bool Add(IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(ChatGatewayOptions.SectionName);
        if (!section.GetSection("Providers").GetChildren().Any())
            return false;
        services.AddQuarryOpenAIChat(section);
        return true;
    }
}
