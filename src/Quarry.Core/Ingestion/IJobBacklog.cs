namespace Quarry.Ingestion;

/// <summary>How much ingestion work is waiting across every tenant: what an operator scales workers on.</summary>
public interface IJobBacklog
{
    Task<JobBacklog> GetBacklogAsync(CancellationToken cancellationToken);
}

public sealed record JobBacklog(long Queued, long Running);
