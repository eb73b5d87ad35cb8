using Quarry.Storage.Postgres;

namespace Quarry.Server.Jobs;

/// <summary>
/// Where uploads are kept between the 202 and their job when the worker may be another machine than the API replica
/// that received them (a shared store: PostgreSQL). With the embedded store, API and workers share one disk and there
/// is none: the upload folder is enough.
/// </summary>
internal interface IUploadBlobs
{
    Task SaveAsync(string name, Stream content, CancellationToken cancellationToken);

    /// <summary>Copies the upload to <paramref name="destination"/>; false when it is gone.</summary>
    Task<bool> CopyToAsync(string name, Stream destination, CancellationToken cancellationToken);

    Task DeleteAsync(string name, CancellationToken cancellationToken);

    /// <summary>Deletes uploads older than <paramref name="olderThan"/> not named in <paramref name="keep"/>; returns how many.</summary>
    Task<int> DeleteOrphansAsync(IReadOnlyCollection<string> keep, TimeSpan olderThan, CancellationToken cancellationToken);
}

internal sealed class DatabaseUploadBlobs(PostgresUploadBlobs blobs) : IUploadBlobs
{
    public Task SaveAsync(string name, Stream content, CancellationToken cancellationToken) => blobs.SaveAsync(name, content, cancellationToken);

    public Task<bool> CopyToAsync(string name, Stream destination, CancellationToken cancellationToken) => blobs.CopyToAsync(name, destination, cancellationToken);

    public Task DeleteAsync(string name, CancellationToken cancellationToken) => blobs.DeleteAsync(name, cancellationToken);

    public Task<int> DeleteOrphansAsync(IReadOnlyCollection<string> keep, TimeSpan olderThan, CancellationToken cancellationToken) =>
        blobs.DeleteOrphansAsync(keep, olderThan, cancellationToken);
}
