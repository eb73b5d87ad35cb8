using System.ComponentModel.DataAnnotations;

namespace Quarry.Server.Hosting;

/// <summary>What this process runs: the HTTP API, the ingestion workers, or both (the embedded default). API and
/// worker replicas scale separately once the store is shared (PostgreSQL).</summary>
public enum ServerRole
{
    All,
    Api,
    Worker,
}

public sealed class ServerOptions
{
    public const string SectionName = "Server";

    public ServerRole Role { get; set; } = ServerRole.All;

    /// <summary>Where uploads wait for their ingestion job; defaults to <c>uploads</c> under the data directory.</summary>
    public string? UploadDirectory { get; set; }

    /// <summary>Serve the web UI from <c>/</c>.</summary>
    public bool EnableUi { get; set; } = true;

    public bool RunsApi => Role is ServerRole.All or ServerRole.Api;
    public bool RunsWorkers => Role is ServerRole.All or ServerRole.Worker;
}

public enum AuthMode
{
    /// <summary>Every request needs an API key (<c>Authorization: Bearer …</c>).</summary>
    Keys,
    /// <summary>No keys: every request acts as an admin of <see cref="AuthOptions.DevelopmentTenant"/>. Local use only.</summary>
    Development,
}

public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    public AuthMode Mode { get; set; } = AuthMode.Keys;

    [Required(AllowEmptyStrings = false)]
    public string DevelopmentTenant { get; set; } = "default";

    /// <summary>How long a looked-up key is trusted before the store is asked again (so a revoked key stops working
    /// within this time).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan KeyCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the store is asked whether any key was created or revoked (by any process); a change clears
    /// the key cache, so revocations take effect everywhere within about this time. Zero turns polling off.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan KeyVersionPollInterval { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed class WorkerOptions
{
    public const string SectionName = "Server:Workers";

    /// <summary>Jobs processed at once by this process (each job parses on its own core; SQLite stores one at a time).</summary>
    [Range(1, 64)]
    public int Count { get; set; } = 2;

    /// <summary>How long a claimed job stays owned without a heartbeat; a killed worker's jobs resume after it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often idle workers look for jobs enqueued elsewhere (another API process, expired leases).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Wake-up signals buffered between the API and the workers; the store is the queue, so a full buffer
    /// only delays a job until the next poll.</summary>
    [Range(1, 100_000)]
    public int SignalCapacity { get; set; } = 1024;

    /// <summary>Attempts before a job whose provider keeps failing (e.g. 429 from the embeddings endpoint) fails.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Jobs one tenant may have running at once across every worker process sharing the store; unset:
    /// one less than <see cref="Count"/> (at least 1), so another tenant always finds a free worker.</summary>
    [Range(1, 1024)]
    public int? MaxRunningPerTenant { get; set; }

    public int EffectiveMaxRunningPerTenant => MaxRunningPerTenant ?? Math.Max(1, Count - 1);
}
