using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quarry.Server.Auth;
using Quarry.Server.Hosting;

namespace Quarry.Server.Security;

internal static class SecurityRegistration
{
    public static IServiceCollection AddQuarrySecurity(this IServiceCollection services)
    {
        services.AddSingleton<FailedAuthenticationLimiter>();
        services.AddHostedService<KeyVersionWatcher>();
        return services;
    }

    /// <summary>Headers on every response, and in development mode the cross-origin guard; before static files so
    /// the UI's own pages carry them too.</summary>
    public static WebApplication UseQuarrySecurityHeaders(this WebApplication app)
    {
        app.Use(SecurityHeaders.InvokeAsync);
        if (app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.Mode == AuthMode.Development)
            app.Use(DevelopmentRequestGuard.InvokeAsync);
        return app;
    }

    /// <summary>Immediately before authentication, so that refused addresses cost no key lookup.</summary>
    public static WebApplication UseFailedAuthenticationLimit(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.Mode == AuthMode.Keys)
        {
            var limiter = app.Services.GetRequiredService<FailedAuthenticationLimiter>();
            app.Use((context, next) => limiter.InvokeAsync(context, next));
        }
        return app;
    }
}
