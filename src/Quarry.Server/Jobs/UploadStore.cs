using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Quarry.Server.Hosting;

namespace Quarry.Server.Jobs;

/// <summary>
/// Uploaded bytes wait here for their ingestion job. A file is complete and flushed to disk before its job is
/// enqueued (written under a temporary name, fsynced, then renamed), so a server killed after answering 202 still
/// has everything it needs when it restarts.
/// </summary>
internal sealed class UploadStore
{
    private const string TempPrefix = ".incoming-";

    public UploadStore(IOptions<ServerOptions> options, DataDirectory data)
    {
        Root = Path.GetFullPath(options.Value.UploadDirectory ?? Path.Combine(data.Path, "uploads"));
        Directory.CreateDirectory(Root);
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

    public string PathOf(string name)
    {
        // Names come from job payloads written by this class; refuse anything that could leave the folder.
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) || name.StartsWith('.'))
            throw new ArgumentException($"'{name}' is not an upload name.", nameof(name));
        return Path.Combine(Root, name);
    }

    public void Delete(string name) => File.Delete(PathOf(name));
}

internal sealed record StoredUpload(string Name, long SizeBytes, string Checksum);

/// <summary>The resolved data directory of this process.</summary>
internal sealed record DataDirectory(string Path);
