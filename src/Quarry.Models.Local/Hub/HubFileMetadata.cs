using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace Quarry.Models.Local.Hub;

/// <summary>
/// What the hub says about a file before it is downloaded (the HEAD of <c>/resolve/</c>): a Git LFS file answers with a
/// redirect carrying <c>X-Linked-Etag</c> (the content's sha256) and <c>X-Linked-Size</c>; a regular file answers
/// 200 with an <c>ETag</c> that is its git blob sha1. <c>X-Repo-Commit</c> is the commit the revision resolved to.
/// </summary>
internal sealed partial record HubFileMetadata(string Path, long? Size, string? Sha256, string? GitBlobSha1, string? Commit, Uri Location)
{
    public static HubFileMetadata From(string path, HttpResponseMessage response, Uri requested)
    {
        var headers = response.Headers;
        var linked = Normalize(First(headers, "X-Linked-Etag"));
        var etag = Normalize(First(headers, "ETag") ?? response.Headers.ETag?.Tag);
        var size = long.TryParse(First(headers, "X-Linked-Size"), out var linkedSize) ? linkedSize
            : response.Content.Headers.ContentLength;
        string? sha256 = null, sha1 = null;
        if (linked is not null && Sha256Pattern().IsMatch(linked)) sha256 = linked.ToLowerInvariant();
        else if (etag is not null && Sha256Pattern().IsMatch(etag)) sha256 = etag.ToLowerInvariant();
        else if (etag is not null && Sha1Pattern().IsMatch(etag)) sha1 = etag.ToLowerInvariant();
        var location = response.Headers.Location is { } redirect ? new Uri(requested, redirect) : requested;
        return new HubFileMetadata(path, size, sha256, sha1, First(headers, "X-Repo-Commit"), location);
    }

    /// <summary>ETags arrive quoted and sometimes weak (<c>W/"…"</c>).</summary>
    internal static string? Normalize(string? etag)
    {
        if (string.IsNullOrWhiteSpace(etag)) return null;
        var value = etag.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal)) value = value[2..];
        return value.Trim('"');
    }

    private static string? First(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Pattern();

    [GeneratedRegex("^[0-9a-fA-F]{40}$")]
    private static partial Regex Sha1Pattern();
}
