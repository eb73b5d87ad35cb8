using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Audit;
using Quarry.Server.Audit;

namespace Quarry.Server.Hosting;

/// <summary>
/// The audit trail as the server runs it: options from the <c>Audit</c> section (<c>QUARRY_Audit__…</c>), the
/// checkpoint key file in the data directory unless <c>Audit:CheckpointKey</c> is set, and the fail-closed gate.
/// The store registers its <see cref="IAuditStore"/> itself.
/// </summary>
public static class AuditConfiguration
{
    public const string CheckpointKeyFileName = "audit-checkpoint.key";

    internal static IServiceCollection AddQuarryAuditTrail(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        services.AddQuarryAudit(o => Bind(configuration, dataDirectory, o));
        services.AddSingleton<IStartupFilter, AuditGate>();
        return services;
    }

    /// <summary>The options as configured; shared with the CLI so that both find the same checkpoint key.</summary>
    public static void Bind(IConfiguration configuration, string dataDirectory, AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        configuration.GetSection(AuditOptions.SectionName).Bind(options);
        if (string.IsNullOrWhiteSpace(options.CheckpointKeyFile))
            options.CheckpointKeyFile = Path.Combine(dataDirectory, CheckpointKeyFileName);
    }
}
