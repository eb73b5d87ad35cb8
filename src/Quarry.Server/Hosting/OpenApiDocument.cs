using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Quarry.Server.Hosting;

/// <summary>The /openapi/v1.json document: titles and the bearer-key security scheme every /v1 route uses.</summary>
internal static class OpenApiDocument
{
    public static void Configure(OpenApiOptions options) =>
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Quarry API",
                Version = "v1",
                Description = "Knowledge bases, documents and ingestion jobs, search, answers with citations (JSON or server-sent events) " +
                    "and an OpenAI-compatible chat completions façade. Errors are RFC 7807 problem details with types urn:quarry:problem:<code>.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key: 'quarry keys create --tenant T --role reader|writer|admin'.",
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] });
            return Task.CompletedTask;
        });
}
