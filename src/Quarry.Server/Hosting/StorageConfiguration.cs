using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Server.Jobs;
using Quarry.Storage.Postgres;
using Quarry.Storage.Sqlite;

namespace Quarry.Server.Hosting;

/// <summary>
/// <c>Storage:Provider</c> picks the store: <c>sqlite</c> (the embedded default, files in the data directory) or
/// <c>postgres</c> (<c>Storage:Postgres:ConnectionString</c>; shared by every API and worker replica).
/// </summary>
public static class StorageConfiguration
{
    public const string ProviderKey = "Storage:Provider";
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    internal static void Add(IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        if (Provider(configuration) == Postgres)
        {
            var section = configuration.GetSection(PostgresStorageOptions.SectionName);
            services.AddQuarryPostgresStorage(section.Bind);
            // Registered last (after the engine's in-process index, kept as the fallback when the server has no pgvector).
            services.AddQuarryPostgresVectorIndex();
            var where = "PostgreSQL at " + PostgresReadiness.Describe(section[nameof(PostgresStorageOptions.ConnectionString)] ?? "");
            services.AddSingleton(sp => new StoreReadiness(where, sp.EnsureQuarryPostgresReadyAsync));
            services.AddSingleton<IUploadBlobs>(sp => new DatabaseUploadBlobs(sp.GetRequiredService<PostgresUploadBlobs>()));
        }
        else
        {
            services.AddQuarrySqliteStorage(o => o.DataDirectory = dataDirectory);
            // The file is opened (and migrated) on first use; there is nothing to wait for.
            services.AddSingleton(new StoreReadiness("SQLite in " + dataDirectory, null));
        }
    }

    /// <summary>The configured provider, lower case; a value that names no provider stops start-up with the choices.</summary>
    public static string Provider(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration[ProviderKey];
        if (string.IsNullOrWhiteSpace(value)) return Sqlite;
        var provider = value.Trim().ToLowerInvariant();
        return provider is Sqlite or Postgres ? provider : throw new InvalidOperationException(
            $"Unknown {ProviderKey} '{value}': use '{Sqlite}' (the embedded default) or '{Postgres}' (with Storage:Postgres:ConnectionString).");
    }

    /// <summary>Where the store is, for messages: never a password.</summary>
    public static string Describe(IConfiguration configuration, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Provider(configuration) == Postgres
            ? "PostgreSQL at " + PostgresReadiness.Describe(configuration[PostgresStorageOptions.SectionName + ":ConnectionString"] ?? "")
            : "SQLite in " + dataDirectory;
    }
}
