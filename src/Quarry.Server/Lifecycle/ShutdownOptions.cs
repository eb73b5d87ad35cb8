using System.ComponentModel.DataAnnotations;

namespace Quarry.Server.Lifecycle;

/// <summary>
/// What happens on SIGTERM. The host stops accepting connections, lets in-flight requests finish, and gives the
/// ingestion workers <see cref="DrainTimeout"/> to finish the jobs they hold before it releases their leases (the jobs
/// go back to the queue for another worker). Everything, audit flushing included, must end within
/// <see cref="Timeout"/>, which defaults below Kubernetes' 30 s termination grace period.
/// </summary>
public sealed class ShutdownOptions
{
    public const string SectionName = "Server:Shutdown";

    /// <summary>The host's shutdown budget (<c>HostOptions.ShutdownTimeout</c>).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>How long workers keep running the jobs they hold after SIGTERM; then they release them.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
