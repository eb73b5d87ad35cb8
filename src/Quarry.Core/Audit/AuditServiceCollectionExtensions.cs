using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Quarry.Diagnostics;

namespace Quarry.Audit;

public static class AuditServiceCollectionExtensions
{
    /// <summary>
    /// Registers the audit trail: an <see cref="IRequestObserver"/> and <see cref="IAuditTrail"/> that queue records,
    /// the background writer that appends them to the registered <see cref="IAuditStore"/> (and drains on shutdown),
    /// and the retention sweep. A store providing <see cref="IAuditStore"/> must be registered too.
    /// </summary>
    public static IServiceCollection AddQuarryAudit(this IServiceCollection services, Action<AuditOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<AuditOptions>().Configure(o => configure?.Invoke(o)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AuditTrail>();
        services.TryAddSingleton<IAuditTrail>(sp => sp.GetRequiredService<AuditTrail>());
        services.TryAddSingleton<IAuditStatus>(sp => sp.GetRequiredService<AuditTrail>());
        services.AddSingleton<IRequestObserver>(sp => sp.GetRequiredService<AuditTrail>());
        services.TryAddSingleton(sp => AuditCheckpointSigner.FromOptions(sp.GetRequiredService<IOptions<AuditOptions>>().Value));
        services.AddSingleton<IHostedService, AuditWriter>();
        services.AddSingleton<IHostedService, AuditRetentionSweep>();
        return services;
    }
}
