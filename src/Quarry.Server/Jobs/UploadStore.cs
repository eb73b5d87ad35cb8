using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Quarry.Server.Hosting;

namespace Quarry.Server.Jobs;

/// <summary>
/// Uploaded bytes wait here for their ingestion job. A file is complete and flushed to disk before its job is
/// enqueued (written under a temporary name, fsynced, then renamed), so a server killed after answering 202 still
/// has everything it needs when it restarts. With a shared store (<see cref="IUploadBlobs"/>), <see cref="PublishAsync"/>
/// moves the file into it before the job is enqueued and a worker elsewhere fetches it back with <see cref="FetchAsync"/>.
/// </summary>
internal sealed class UploadStore
{
    private const string TempPrefix = ".incoming-";

    private readonly IUploadBlobs? _shared;

    public UploadStore(IOptions<ServerOptions> options, DataDirectory data, IUploadBlobs? shared = null)
    {
        Root = Path.GetFullPath(options.Value.UploadDirectory ?? Path.Combine(data.Path, "uploads"));
        Directory.CreateDirectory(Root);
        _shared = shared;
    }

    public string Root { get; }

    /// <summary>Copies <paramref name="content"/> to a new upload file and returns its name, size and SHA-256.</summary>
    public async Task<StoredUpload> SaveAsync(Stream content, CancellationToken cancellationToken)
    {
        var name = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var temp = Path.Combine(Root, TempPrefix + name);
        try
        {
            long size;
            byte[] hash;
            await using (var file = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Options = FileOptions.Asynchronous,
                BufferSize = 64 * 1024,
            }))
            using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[64 * 1024];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    sha.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                await file.FlushAsync(cancellationToken);
                // Durable before the job that points at it is committed.
                file.Flush(flushToDisk: true);
                size = file.Length;
                hash = sha.GetHashAndReset();
            }
            File.Move(temp, Path.Combine(Root, name));
            return new StoredUpload(name, size, Convert.ToHexStringLower(hash));
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Removes partial files left by a process killed while receiving an upload (no job points at them).
    /// Only old ones: another process sharing the folder may be receiving one right now.</summary>
    public int RemoveAbandonedPartials(TimeProvider time, TimeSpan olderThan)
    {
        var removed = 0;
        var cutoff = time.GetUtcNow() - olderThan;
        foreach (var file in Directory.EnumerateFiles(Root, TempPrefix + "*"))
        {
            if (File.GetLastWriteTimeUtc(file) >= cutoff.UtcDateTime) continue;
            File.Delete(file);
            removed++;
        }
        return removed;
    }

    /// <summary>
    /// Removes uploads no unfinished job points at, in the folder and in the shared store: a process that crashed between
    /// saving an upload and enqueuing its job, or between finishing a job and deleting its upload, leaves them behind.
    /// Only old ones, for the same reason as <see cref="RemoveAbandonedPartials"/>.
    /// </summary>
    public async Task<OrphanSweep> RemoveOrphansAsync(Ingestion.IIngestionJobStore jobs, TimeProvider time, TimeSpan olderThan, CancellationToken cancellationToken)
    {
        var cutoff = (time.GetUtcNow() - olderThan).UtcDateTime;
        var candidates = Directory.EnumerateFiles(Root)
            .Where(f => !Path.GetFileName(f).StartsWith('.') && File.GetLastWriteTimeUtc(f) < cutoff)
            .ToList();
        if (candidates.Count == 0 && _shared is null) return new OrphanSweep(0, 0);
        // Listed before the shared sweep reads ages: an upload enqueued after this is younger than the cut-off.
        var referenced = (await jobs.ListUnfinishedPayloadsAsync(cancellationToken))
            .Select(p => IngestionPayload.TryParse(p)?.Upload)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        var removed = 0;
        foreach (var file in candidates)
        {
            if (referenced.Contains(Path.GetFileName(file))) continue;
            File.Delete(file);
            removed++;
        }
        var shared = _shared is null ? 0 : await _shared.DeleteOrphansAsync(referenced, olderThan, cancellationToken);
        return new OrphanSweep(removed, shared);
    }

    public string PathOf(string name)
    {
        // Names come from job payloads written by this class; refuse anything that could leave the folder.
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) || name.StartsWith('.'))
            throw new ArgumentException($"'{name}' is not an upload name.", nameof(name));
        return Path.Combine(Root, name);
    }

    public void Delete(string name) => File.Delete(PathOf(name));

    /// <summary>Makes a saved upload readable by every worker: copied into the shared store (then dropped here), or left
    /// in the folder when there is none. Called before the job is enqueued.</summary>
    public async Task PublishAsync(string name, CancellationToken cancellationToken)
    {
        if (_shared is null) return;
        await using (var file = File.OpenRead(PathOf(name)))
            await _shared.SaveAsync(name, file, cancellationToken);
        Delete(name);
    }

    /// <summary>The local path of an upload, fetched from the shared store when it was received elsewhere; null when the
    /// upload is gone.</summary>
    public async Task<string?> FetchAsync(string name, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        if (File.Exists(path)) return path;
        if (_shared is null) return null;
        var temp = Path.Combine(Root, TempPrefix + name + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        try
        {
            bool found;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
                found = await _shared.CopyToAsync(name, file, cancellationToken);
            if (!found) return null;
            File.Move(temp, path, overwrite: true);
            return path;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Removes an upload here and from the shared store (its job is final, or was never enqueued).</summary>
    public async Task DeleteEverywhereAsync(string name, CancellationToken cancellationToken)
    {
        Delete(name);
        if (_shared is not null) await _shared.DeleteAsync(name, cancellationToken);
    }
}

/// <summary>Orphan uploads removed from the local folder and from the shared store.</summary>
internal sealed record OrphanSweep(int Files, int Shared);

internal sealed record StoredUpload(string Name, long SizeBytes, string Checksum);

/// <summary>The resolved data directory of this process.</summary>
internal sealed record DataDirectory(string Path);
