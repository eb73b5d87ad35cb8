using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Quarry.Diagnostics;
using Quarry.Server.Auth;

namespace Quarry.Server.Observability;

/// <summary>
/// Composes the service's telemetry: Prometheus metrics (Quarry's meter, ASP.NET Core, HttpClient, the runtime,
/// Npgsql), traces (always recorded, so every response, log line and audit record carries a trace id; exported by
/// OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set), and console logs (JSON unless <c>Logging:Format=text</c>).
/// </summary>
internal static class ObservabilityConfiguration
{
    public static void AddQuarryObservability(this WebApplicationBuilder builder, bool development)
    {
        var configuration = builder.Configuration;
        var options = configuration.GetSection(ObservabilityOptions.SectionName).Get<ObservabilityOptions>() ?? new ObservabilityOptions();
        builder.Services.AddOptions<ObservabilityOptions>().Bind(configuration.GetSection(ObservabilityOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        ConfigureLogging(builder.Logging, configuration, development);
        if (options.Metrics.Port is { } port)
            AddManagementUrl(builder, options.Metrics.Host, port);

        builder.Services.AddHostedService<JobBacklogGauge>();
        if (!options.Enabled) return;
        var otlpEndpoint = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"];
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] ?? "quarry", serviceVersion: typeof(QuarryServer).Assembly.GetName().Version?.ToString()))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(QuarryTelemetry.Name, "Npgsql")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();
                if (options.Metrics.Enabled)
                    metrics.AddPrometheusExporter(o =>
                    {
                        // Series carry exactly their documented labels (no otel_scope_* on every one of them).
                        o.ScopeInfoEnabled = false;
                        o.DisableTotalNameSuffixForCounters = false;
                    });
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(QuarryTelemetry.Name, "Npgsql")
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsProbeOrScrape(http.Request.Path, options.Metrics.Path))
                    .AddHttpClientInstrumentation();
                if (!string.IsNullOrWhiteSpace(otlpEndpoint))
                    tracing.AddOtlpExporter();
            });
        if (!string.IsNullOrWhiteSpace(otlpEndpoint))
            builder.Services.AddSingleton<ExportFailureListener>();
    }

    public static void UseQuarryObservability(this WebApplication app)
    {
        // Resolved now so it listens from the first export on (it is disposed with the container).
        app.Services.GetService<ExportFailureListener>();
        app.UseMiddleware<RequestObservability>();
    }

    public static void MapQuarryMetrics(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ObservabilityOptions>>().Value.Metrics;
        if (!metrics.Enabled || !app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ObservabilityOptions>>().Value.Enabled) return;
        var endpoint = app.MapPrometheusScrapingEndpoint(metrics.Path).DisableRateLimiting();
        if (metrics.Port is { } port) endpoint.RequireHost($"*:{port}");
        if (metrics.RequireKey) endpoint.RequireAuthorization(Policies.Admin);
        else endpoint.AllowAnonymous();
    }

    /// <summary>On the management port only the scrape path and the health probes answer.</summary>
    public static void UseManagementPortGuard(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ObservabilityOptions>>().Value.Metrics;
        if (metrics.Port is not { } port) return;
        app.Use((context, next) =>
        {
            if (context.Connection.LocalPort != port || IsProbeOrScrape(context.Request.Path, metrics.Path)) return next(context);
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
    }

    private static bool IsProbeOrScrape(PathString path, string metricsPath) =>
        path.StartsWithSegments(metricsPath) || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz");

    private static void ConfigureLogging(ILoggingBuilder logging, ConfigurationManager configuration, bool development)
    {
        var format = configuration["Logging:Format"] ?? (development ? "text" : "json");
        logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        // ASP.NET Core writes several Information lines per request; the request's own summary line replaces them.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        if (string.Equals(format, "text", StringComparison.OrdinalIgnoreCase))
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
            return;
        }
        if (!string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"Logging:Format must be 'json' or 'text' (was '{format}').");
        logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions
            {
                Indented = false,
                // Quotes and '+' stay readable in messages; the console is not an HTML page.
                Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            };
        });
    }

    /// <summary>The management port is one more listening address: adding it through the URL list keeps the
    /// service's own addresses (an explicit Kestrel Listen would replace them).</summary>
    private static void AddManagementUrl(WebApplicationBuilder builder, string host, int port)
    {
        var urls = builder.Configuration[Microsoft.AspNetCore.Hosting.WebHostDefaults.ServerUrlsKey];
        if (string.IsNullOrWhiteSpace(urls)) urls = QuarryServer.DefaultUrl;
        var address = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        builder.WebHost.UseUrls($"{urls};http://{address}:{port}");
    }
}
