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

    /// <summary>Whether the PostgreSQL store is the registered store.</summary>
    public static bool HasQuarryPostgresStorage(this IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetService<PostgresDatabase>() is not null;
    }

    /// <summary>Whether vector search runs in PostgreSQL (pgvector present and allowed); known once the store is ready.
    /// False when the PostgreSQL store is not registered.</summary>
    public static bool SearchesQuarryVectorsInPostgres(this IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetService<PostgresDatabase>()?.HasPgvector == true;
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
