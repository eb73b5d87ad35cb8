using System.ComponentModel.DataAnnotations;

namespace Quarry.Caching.Redis;

/// <summary>Section <c>Cache:Redis</c>.</summary>
public sealed class RedisCacheOptions
{
    public const string SectionName = "Cache:Redis";

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379,password=…</c>.</summary>
    [Required]
    public string Configuration { get; set; } = "";

    /// <summary>Prepended to every key, so several deployments can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "";
}
