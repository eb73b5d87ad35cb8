using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quarry.Answering;
using Quarry.Generation;
using Quarry.Server.Auth;
using Quarry.Server.Errors;
using Quarry.Tenancy;

namespace Quarry.Server.Endpoints;

/// <summary>Per-request model options (model, temperature, answer length) as the API and the OpenAI façade accept
/// them: validated, and a model named only by callers the routing options allow.</summary>
internal static class ModelChoice
{
    public const int MaxOutputTokensLimit = 32_768;

    /// <returns>The request with the options applied, or a problem.</returns>
    public static (AskRequest? Request, IResult? Error) Apply(AskRequest request, HttpContext http, string? model, float? temperature, int? maxTokens)
    {
        if (temperature is { } t && (float.IsNaN(t) || t < 0 || t > 2))
            return (null, Problems.Invalid("'temperature' must be between 0 and 2."));
        if (maxTokens is { } m && (m < 1 || m > MaxOutputTokensLimit))
            return (null, Problems.Invalid($"'maxTokens' must be between 1 and {MaxOutputTokensLimit}."));
        if (!string.IsNullOrWhiteSpace(model))
        {
            var chat = http.RequestServices.GetService<IOptions<ChatGatewayOptions>>()?.Value;
            if (http.RequestServices.GetKeyedService<Microsoft.Extensions.AI.IChatClient>(ChatClientServiceCollectionExtensions.GatewayKey) is null || chat is null)
                return (null, Problems.Invalid("'model' chooses a chat model, and none is configured: answers are extractive."));
            if (!Allowed(chat.Routing.AllowRequestedModel, http.User))
                return (null, Problems.Result(Problems.Forbidden,
                    $"This key may not choose the chat model (Models:Chat:Routing:AllowRequestedModel is {chat.Routing.AllowRequestedModel})."));
        }
        return (request with { Model = string.IsNullOrWhiteSpace(model) ? null : model.Trim(), Temperature = temperature, MaxOutputTokens = maxTokens }, null);
    }

    private static bool Allowed(RequestedModelPolicy policy, ClaimsPrincipal user) => policy switch
    {
        RequestedModelPolicy.Any => true,
        RequestedModelPolicy.Admin => user.Role() == ApiKeyRole.Admin,
        _ => false,
    };
}
