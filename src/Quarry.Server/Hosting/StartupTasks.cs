using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quarry.Indexing;
using Quarry.Indexing.Vectors;
using Quarry.Server.Jobs;
using Quarry.Storage.Postgres;
using Quarry.Tenancy;

namespace Quarry.Server.Hosting;

/// <summary>Work before the process is ready: wait for the store (retried with backoff while a database is
/// unreachable), apply migrations, load stored vectors into the in-process index, and say loudly when authentication is
/// off (or when no key exists yet to use it).</summary>
internal sealed class StartupTasks(
    IServiceProvider services,
    ITenantStore tenants,
    StoreReadiness store,
    IOptions<ServerOptions> server,
    StartupState state,
    DataDirectory data,
    IOptions<AuthOptions> auth,
    UploadStore uploads,
    TimeProvider time,
    ILogger<StartupTasks> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await store.WaitUntilReadyAsync(time, logger, stoppingToken);
        if (auth.Value.Mode == AuthMode.Development)
        {
            ServerLog.DevelopmentMode(logger, auth.Value.DevelopmentTenant);
        }
        else if ((await tenants.ListApiKeysAsync(null, stoppingToken)).Count == 0)
        {
            ServerLog.NoKeys(logger, data.Path);
        }
        uploads.RemoveAbandonedPartials(time, TimeSpan.FromHours(1));
        var orphans = await uploads.RemoveOrphansAsync(services.GetRequiredService<Ingestion.IIngestionJobStore>(), time, TimeSpan.FromHours(1), stoppingToken);
        if (orphans.Files > 0) ServerLog.OrphanUploadsRemoved(logger, orphans.Files, uploads.Root);
        if (orphans.Shared > 0) ServerLog.OrphanSharedUploadsRemoved(logger, orphans.Shared);
        // Worker-only replicas never search: their memory is for ingestion. With pgvector the vectors stay in PostgreSQL.
        if (server.Value.RunsApi && !services.SearchesQuarryVectorsInPostgres())
        {
            var vectors = await services.LoadQuarryVectorIndexAsync(stoppingToken);
            if (services.GetService<IVectorIndex>() is not null) ServerLog.VectorsLoaded(logger, vectors);
        }
        state.Done = true;
    }
}

internal sealed class StartupState
{
    private volatile bool _done;

    public bool Done
    {
        get => _done;
        set => _done = value;
    }
}
