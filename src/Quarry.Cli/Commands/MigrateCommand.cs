using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Cli.Hosting;
using Quarry.Documents;
using Quarry.Server.Hosting;
using Quarry.Tenancy;

namespace Quarry.Cli.Commands;

/// <summary><c>quarry migrate</c>: applies the store's pending schema migrations and exits. Servers migrate at start-up
/// too; a deployment runs this once first (the Kubernetes Job) so replicas start against a ready schema, and a
/// failure shows in one place rather than in every pod's log.</summary>
internal static class MigrateCommand
{
    private static readonly TenantId Probe = new("migrate");

    public static Command Create()
    {
        var command = new Command("migrate", "Apply pending schema migrations to the store (SQLite data directory or PostgreSQL) and exit.");
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var services = CliContext.BuildServices(result);
            // PostgreSQL migrates here (under its advisory lock); SQLite on the first use of the file, which the read does.
            await services.EnsureStoreReadyAsync(cancellationToken);
            await services.GetRequiredService<ITenantStore>().GetUsageAsync(Probe, cancellationToken);
            var where = StorageConfiguration.Describe(CliContext.LoadConfiguration(), CliContext.ResolveDataDirectory(result));
            Console.WriteLine($"Schema is up to date: {where}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
