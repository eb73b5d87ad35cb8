using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using Quarry.Documents;
using Quarry.Server.Auth;
using Quarry.Server.Conversations;
using Quarry.Server.Hosting;
using Quarry.Server.Limits;
using Quarry.Tenancy;

namespace Quarry.Server.Mcp;

/// <summary>
/// Quarry as an MCP server: <c>/mcp</c> over streamable HTTP behind the same authentication, authorization and rate
/// limits as <c>/v1</c>, and <c>quarry mcp</c> over stdio for desktop agents. The HTTP transport is stateless: any
/// replica can serve any call, as with the REST API.
/// </summary>
public static class McpRegistration
{
    public const string Path = "/mcp";

    internal static IServiceCollection AddQuarryMcp(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddScoped<IMcpCaller, HttpMcpCaller>();
        services.AddMcpServer(o => o.ServerInfo = Info()).WithHttpTransport(o => o.Stateless = true).WithTools<QuarryMcpTools>();
        return services;
    }

    internal static void MapQuarryMcp(this IEndpointRouteBuilder app) =>
        app.MapMcp(Path).RequireAuthorization(Policies.Reader).WithTags("MCP");

    /// <summary>Serves the tools over stdin/stdout as the given tenant's administrator (the operator who runs it);
    /// logs go to stderr, which MCP clients show as the server's log.</summary>
    public static async Task<int> RunStdioAsync(IConfiguration configuration, string dataDirectory, string tenant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddQuarryEngine(configuration, dataDirectory);
        builder.Services.AddQuarryServerConversations();
        builder.Services.AddSingleton<IMcpCaller>(new FixedMcpCaller(Caller.Principal(new TenantId(tenant), ApiKeyRole.Admin, "cli:mcp")));
        builder.Services.AddMcpServer(o => o.ServerInfo = Info()).WithStdioServerTransport().WithTools<QuarryMcpTools>();
        using var host = builder.Build();
        await host.Services.EnsureStoreReadyAsync(cancellationToken);
        await EmbeddingConfiguration.LoadVectorsAsync(host.Services, cancellationToken);
        await host.RunAsync(cancellationToken);
        return 0;
    }

    private static Implementation Info() => new() { Name = "quarry", Version = typeof(McpRegistration).Assembly.GetName().Version?.ToString() ?? "1.0" };
}
