using System.ComponentModel.DataAnnotations;

namespace Quarry.Models.Local.Hub;

/// <summary>Where models come from (a Hugging Face hub or a mirror of it) and where they are kept.</summary>
public sealed class ModelHubOptions
{
    public const string SectionName = "Models:Hub";

    /// <summary>Hub base URL; files are fetched from <c>{Endpoint}/{repo}/resolve/{revision}/{file}</c>.</summary>
    [Required]
    public Uri? Endpoint { get; set; } = new("https://huggingface.co");

    /// <summary>Access token for gated or private repositories (sent as a bearer token to the hub only).</summary>
    public string? Token { get; set; }

    /// <summary>Model cache; default <c>$QUARRY_MODELS</c>, else the platform cache folder (see <see cref="ModelCache.DefaultRoot"/>).</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>Download a configured model that is not in the cache on first use.</summary>
    public bool AllowDownload { get; set; } = true;

    /// <summary>How long a request may wait for a response or for the next bytes of a download.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
