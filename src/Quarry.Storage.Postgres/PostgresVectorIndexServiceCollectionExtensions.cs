using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Quarry.Indexing;

namespace Quarry.Storage.Postgres;

public static class PostgresVectorIndexServiceCollectionExtensions
{
    /// <summary>
    /// Makes vector search run in PostgreSQL with pgvector (<see cref="PostgresStorageServiceCollectionExtensions.AddQuarryPostgresStorage"/> must be registered).
    /// Call it after the in-process vector index registration: the <see cref="IVectorIndex"/> registered so far is kept
    /// as the fallback that serves every search when the server has no pgvector (or <c>Pgvector</c> is <c>Off</c>).
    /// </summary>
    public static IServiceCollection AddQuarryPostgresVectorIndex(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(PostgresVectorIndexMarker)))
            return services;
        services.AddSingleton<PostgresVectorIndexMarker>();
        var previous = services.LastOrDefault(d => d.ServiceType == typeof(IVectorIndex) && !d.IsKeyedService);
        if (previous is not null)
            services.RemoveAll<IVectorIndex>();
        services.AddSingleton<IVectorIndex>(sp => new PostgresVectorIndex(
            sp.GetRequiredService<PostgresDatabase>(),
            sp.GetRequiredService<PgvectorIndexes>(),
            // Resolved only when needed, so that with pgvector the in-process index is never built.
            new Lazy<IVectorIndex?>(() => previous is null ? null : Resolve(sp, previous)),
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<PostgresVectorIndex>()));
        return services;
    }

    private static IVectorIndex Resolve(IServiceProvider services, ServiceDescriptor descriptor) =>
        (IVectorIndex)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.GetServiceOrCreateInstance(services, descriptor.ImplementationType!));

    /// <summary>Registered once, so that a second call changes nothing.</summary>
    private sealed class PostgresVectorIndexMarker;
}
