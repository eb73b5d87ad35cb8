using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quarry.Server.Auth;
using Quarry.Server.Conversations;
using Quarry.Server.Endpoints;
using Quarry.Server.Errors;
using Quarry.Server.Hosting;
using Quarry.Server.Jobs;
using Quarry.Server.Lifecycle;
using Quarry.Server.Limits;
using Quarry.Server.Mcp;
using Quarry.Server.Observability;
using Quarry.Server.Privacy;
using Quarry.Server.Security;

namespace Quarry.Server;

/// <summary>
/// Builds and runs the Quarry service. Command line: <c>--urls URL</c>, <c>--data DIR</c>, <c>--dev</c>
/// (development mode: no API keys), <c>--role api|worker|all</c>, and any <c>--Section:Key=value</c>; environment
/// variables <c>QUARRY_Section__Key</c> configure the same keys.
/// </summary>
public static class QuarryServer
{
    public const string DefaultUrl = "http://127.0.0.1:5000";

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        WebApplication app;
        try
        {
            app = Build(args);
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException or FormatException)
        {
            await Console.Error.WriteLineAsync($"Invalid configuration: {ex.Message}");
            return 2;
        }
        await using (app)
        {
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (OptionsValidationException ex)
            {
                await Console.Error.WriteLineAsync($"Invalid configuration: {string.Join("; ", ex.Failures)}");
                return 2;
            }
            catch (IOException ex)
            {
                await Console.Error.WriteLineAsync($"Cannot listen: {ex.Message}");
                return 3;
            }
            var urls = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var options = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
            var auth = app.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
            var data = app.Services.GetRequiredService<DataDirectory>().Path;
            // The first line on stdout is the address: people read it, scripts and tests parse it.
            Console.WriteLine($"Quarry is listening on {string.Join(", ", urls)}");
            ServerLog.Listening(app.Logger, options.Role.ToString().ToLowerInvariant(), string.Join(", ", urls), data, auth.Mode.ToString().ToLowerInvariant());
            await app.WaitForShutdownAsync(cancellationToken);
        }
        return 0;
    }

    public static WebApplication Build(string[] args) => Build(args, null);

    /// <param name="configureServices">Runs after the server's own registrations (tests substitute seams here).</param>
    internal static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices)
    {
        args = NormalizeArguments(args);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // appsettings.json beside the binaries, not wherever the user happens to stand.
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddEnvironmentVariables(QuarryEngine.EnvironmentPrefix).AddQuarrySecretFiles();
        builder.Configuration.AddCommandLine(args);
        if (string.IsNullOrWhiteSpace(builder.Configuration[WebHostDefaults.ServerUrlsKey]) && string.IsNullOrWhiteSpace(builder.Configuration["http_ports"]))
            builder.WebHost.UseUrls(DefaultUrl);
        // Nothing here uses data protection (no cookies, no antiforgery); authentication registers it anyway.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // Npgsql logs every command at Information: on a busy replica that is most of the log and much of the CPU.
        builder.Logging.AddFilter("Npgsql", LogLevel.Warning);
        builder.AddQuarryObservability(development: string.Equals(builder.Configuration["Auth:Mode"], "Development", StringComparison.OrdinalIgnoreCase));

        var limits = builder.Configuration.GetSection(LimitOptions.SectionName).Get<LimitOptions>() ?? new LimitOptions();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBytes;
        });

        var dataDirectory = QuarryEngine.ResolveDataDirectory(builder.Configuration["Data:Directory"]);
        var services = builder.Services;
        services.AddSingleton(new DataDirectory(dataDirectory));
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDirectory, "data-protection")));
        services.AddQuarryEngine(builder.Configuration, dataDirectory);
        services.AddQuarryAuditTrail(builder.Configuration, dataDirectory);
        services.AddQuarryServerConversations();
        services.AddQuarryMcp();
        services.AddOptions<ServerOptions>().Bind(builder.Configuration.GetSection(ServerOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AuthOptions>().Bind(builder.Configuration.GetSection(AuthOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<WorkerOptions>().Bind(builder.Configuration.GetSection(WorkerOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddQuarryLifecycle(builder.Configuration);
        services.AddOptions<LimitOptions>().Bind(builder.Configuration.GetSection(LimitOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<UploadStore>();
        services.AddSingleton<JobSignal>();
        services.AddSingleton<JobEstimates>();
        services.AddSingleton<WorkerStatus>();
        services.AddSingleton<StartupState>();
        services.AddSingleton<ApiKeyCache>();
        services.AddQuarrySecurity();
        services.AddSingleton<Quotas>();
        services.AddHostedService<StartupTasks>();
        var server = builder.Configuration.GetSection(ServerOptions.SectionName).Get<ServerOptions>() ?? new ServerOptions();
        if (server.RunsWorkers) services.AddHostedService<IngestionWorkers>();
        if (server.RunsWorkers) Quarry.Vectorizing.VectorizingServiceCollectionExtensions.AddQuarryVectorizingWorker(services);

        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddQuarrySignedTokens(builder.Configuration);
        services.AddAuthorization(Policies.Add);
        services.AddQuarryRateLimiting();
        services.AddQuarryTimeouts(limits);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemTypes.Normalize);
        services.AddExceptionHandler<QuarryExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        services.AddOpenApi("v1", OpenApiDocument.Configure);
        configureServices?.Invoke(services);

        var app = builder.Build();
        app.UseQuarryObservability();
        app.UseManagementPortGuard();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseQuarrySecurityHeaders();
        if (server.EnableUi && server.RunsApi)
        {
            var files = new EmbeddedFileProvider(typeof(QuarryServer).Assembly, "Quarry.Server.wwwroot");
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        }
        app.UseRouting();
        app.Use(StoreGate.InvokeAsync);
        app.UseFailedAuthenticationLimit();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseRequestTimeouts();
        app.UseQuarryOutputMasking();

        HealthEndpoints.Map(app);
        app.MapQuarryMetrics();
        if (server.RunsApi)
        {
            app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous().DisableRateLimiting();
            var v1 = app.MapGroup("/v1");
            KnowledgeBaseEndpoints.Map(v1);
            DocumentEndpoints.Map(v1);
            JobEndpoints.Map(v1);
            SearchEndpoints.Map(v1);
            AskEndpoints.Map(v1);
            ChatCompletionsEndpoints.Map(v1);
            KeyEndpoints.Map(v1);
            AuditEndpoints.Map(v1);
            MeEndpoints.Map(v1);
            UsageEndpoints.Map(v1);
            v1.MapQuarrySessions();
            app.MapQuarryMcp();
        }
        return app;
    }

    public static void ConfigureJson(JsonSerializerOptions json)
    {
        json.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        json.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    }

    /// <summary>Short switches for the common settings; everything else is <c>--Section:Key=value</c>.</summary>
    private static string[] NormalizeArguments(string[] args)
    {
        var result = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--dev":
                    result.Add("--Auth:Mode=Development");
                    break;
                case "--data" when i + 1 < args.Length:
                    result.Add("--Data:Directory=" + args[++i]);
                    break;
                case "--role" when i + 1 < args.Length:
                    result.Add("--Server:Role=" + args[++i]);
                    break;
                default:
                    result.Add(args[i]);
                    break;
            }
        }
        return [.. result];
    }
}
