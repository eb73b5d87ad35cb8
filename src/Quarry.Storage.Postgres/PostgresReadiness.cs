using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Quarry.Storage.Postgres;

/// <summary>What a host needs to start on PostgreSQL: wait for the database, and name it in messages.</summary>
public static class PostgresReadiness
{
    /// <summary>Connects and applies pending migrations (under an advisory lock); throws while the database is
    /// unreachable, so the host can retry.</summary>
    public static Task EnsureQuarryPostgresReadyAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetRequiredService<PostgresDatabase>().EnsureReadyAsync(cancellationToken);
    }

    /// <summary><c>host:port/database</c> of a connection string, never its password.</summary>
    public static string Describe(string connectionString)
    {
        try
        {
            var parsed = new NpgsqlConnectionStringBuilder(connectionString);
            return $"{parsed.Host}:{parsed.Port}/{parsed.Database}";
        }
        catch (ArgumentException)
        {
            return "(an invalid connection string)";
        }
    }
}
