using Microsoft.Extensions.DependencyInjection;
using Quarry.Audit;
using Quarry.Documents;

namespace Quarry.Cli.Hosting;

/// <summary>Administrative changes made from the command line are audited like the API's, with the operating-system
/// user in place of an API key.</summary>
internal static class CliAudit
{
    public static Task RecordAsync(IServiceProvider services, TenantId tenant, string kind, string subject, CancellationToken cancellationToken,
        IReadOnlyList<string>? knowledgeBases = null) =>
        services.GetRequiredService<IAuditStore>().RecordNowAsync(tenant, kind, subject, $"cli:{Environment.UserName}@{Environment.MachineName}",
            services.GetService<TimeProvider>() ?? TimeProvider.System, cancellationToken, knowledgeBases);
}
