using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Quarry.Server.Lifecycle;

internal static class LifecycleServiceCollectionExtensions
{
    /// <summary>Binds <see cref="ShutdownOptions"/> and gives the host its shutdown budget.</summary>
    public static IServiceCollection AddQuarryLifecycle(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ShutdownOptions>().Bind(configuration.GetSection(ShutdownOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.DrainTimeout < o.Timeout, "Server:Shutdown:DrainTimeout must be shorter than Server:Shutdown:Timeout, or jobs cannot be released in time.")
            .ValidateOnStart();
        services.AddSingleton<IConfigureOptions<HostOptions>>(provider => new ConfigureOptions<HostOptions>(host =>
            host.ShutdownTimeout = provider.GetRequiredService<IOptions<ShutdownOptions>>().Value.Timeout));
        return services;
    }
}
