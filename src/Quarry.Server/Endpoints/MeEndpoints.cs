using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Embedding;
using Quarry.Generation;
using Quarry.Server.Auth;
using Quarry.Tenancy;

namespace Quarry.Server.Endpoints;

/// <summary>Who the caller is and how this server answers, so a client (the web UI) can hide what the key may not do
/// and say plainly when answers are extractive.</summary>
internal static class MeEndpoints
{
    public static void Map(RouteGroupBuilder v1) =>
        v1.MapGet("/me", (HttpContext http) =>
        {
            var user = http.User;
            var role = user.Role();
            var services = http.RequestServices;
            var chat = services.GetKeyedService<Microsoft.Extensions.AI.IChatClient>(ChatClientServiceCollectionExtensions.GatewayKey);
            var embedder = services.GetService<IEmbedder>();
            return TypedResults.Ok(new MeResponse(
                user.Tenant().Value,
                role.ToString().ToLowerInvariant(),
                user.FindFirst(Caller.KeyClaim)?.Value ?? "",
                user.KnowledgeBases(),
                new MePermissions(
                    ManageKnowledgeBases: role >= ApiKeyRole.Admin,
                    Upload: role >= ApiKeyRole.Writer,
                    DeleteDocuments: role >= ApiKeyRole.Writer,
                    ManageKeys: role >= ApiKeyRole.Admin),
                new MeServer(
                    AnswerMode: chat is null ? "extractive" : "generative",
                    ChatModel: (chat?.GetService(typeof(ChatGatewayInfo)) as ChatGatewayInfo)?.ModelId,
                    Embedder: embedder?.Model.Id)));
        }).RequireAuthorization(Policies.Reader).WithTags("Identity").WithName("GetMe");
}

/// <param name="KnowledgeBases">The knowledge bases a limited key may use; null when it may use all of its tenant's.</param>
internal sealed record MeResponse(string Tenant, string Role, string KeyId, IReadOnlyList<string>? KnowledgeBases, MePermissions Permissions, MeServer Server);

internal sealed record MePermissions(bool ManageKnowledgeBases, bool Upload, bool DeleteDocuments, bool ManageKeys);

/// <param name="AnswerMode">"generative" when a chat model writes answers, "extractive" when answers quote passages.</param>
/// <param name="Embedder">The embedding model id, or null when search is keyword-only.</param>
internal sealed record MeServer(string AnswerMode, string? ChatModel, string? Embedder);
