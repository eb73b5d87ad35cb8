using System.Text.Json;

namespace Quarry.Models.Local.Hub;

/// <summary>
/// The folder models are downloaded into: <c>{root}/{owner}--{name}/{revision}/</c>, each a complete Hugging Face
/// model folder once <see cref="ManifestFile"/> is written (the last step of a download, so a half-downloaded model
/// is never used).
/// </summary>
public sealed class ModelCache(string root)
{
    public const string ManifestFile = ".quarry-model.json";

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary><c>$QUARRY_MODELS</c>, else <c>$XDG_CACHE_HOME/quarry/models</c> or <c>~/.cache/quarry/models</c>
    /// (Linux), <c>~/Library/Caches/Quarry/models</c> (macOS), <c>%LOCALAPPDATA%\Quarry\models</c> (Windows).</summary>
    public static string DefaultRoot()
    {
        var env = Environment.GetEnvironmentVariable("QUARRY_MODELS");
        if (!string.IsNullOrWhiteSpace(env)) return env;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "Quarry", "models");
        if (OperatingSystem.IsMacOS()) return Path.Combine(home, "Library", "Caches", "Quarry", "models");
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        return Path.Combine(string.IsNullOrWhiteSpace(xdg) ? Path.Combine(home, ".cache") : xdg, "quarry", "models");
    }

    public static ModelCache FromOptions(ModelHubOptions options) =>
        new(string.IsNullOrWhiteSpace(options.CacheDirectory) ? DefaultRoot() : options.CacheDirectory);

    /// <summary>Where a hub model lives (complete or not).</summary>
    public string FolderOf(ModelReference model)
    {
        if (model.IsLocal) return model.LocalPath!;
        return Path.Combine(Root, model.Repository!.Replace("/", "--", StringComparison.Ordinal), model.Revision.Replace("/", "--", StringComparison.Ordinal));
    }

    /// <summary>The model's folder when it is usable: a local folder that exists, or a completely downloaded hub model.</summary>
    public string? TryResolve(ModelReference model)
    {
        var folder = FolderOf(model);
        if (model.IsLocal) return Directory.Exists(folder) ? folder : null;
        return File.Exists(Path.Combine(folder, ManifestFile)) ? folder : null;
    }

    /// <summary>Downloaded models, read from their manifests.</summary>
    public IReadOnlyList<ModelManifest> List()
    {
        if (!Directory.Exists(Root)) return [];
        var manifests = new List<ModelManifest>();
        foreach (var file in Directory.EnumerateFiles(Root, ManifestFile, new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 3, AttributesToSkip = 0 }))
        {
            try
            {
                if (JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(file), ModelManifest.JsonOptions) is { } manifest)
                    manifests.Add(manifest with { Folder = Path.GetDirectoryName(file)! });
            }
            catch (JsonException)
            {
                // A damaged manifest is a model to download again, not a reason to fail listing the others.
            }
        }
        return [.. manifests.OrderBy(m => m.Repository, StringComparer.Ordinal)];
    }
}

/// <summary>What a download fetched and verified.</summary>
public sealed record ModelManifest(string Repository, string Revision, string? Commit, IReadOnlyList<ManifestFile> Files)
{
    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    [System.Text.Json.Serialization.JsonIgnore]
    public string Folder { get; init; } = "";

    public long TotalBytes => Files.Sum(f => f.Size);
}

/// <param name="Sha256">Verified content hash of a Git LFS file (the hub's X-Linked-Etag).</param>
/// <param name="GitBlobSha1">Verified git blob hash of a regular file (the hub's ETag).</param>
public sealed record ManifestFile(string Path, long Size, string? Sha256, string? GitBlobSha1);
