namespace Quarry.Storage.Postgres.Tests.TestSupport;

/// <summary>
/// Locates <c>../shared/</c> (datasets that live beside the checkout, also in CI). Set QUARRY_SHARED to point elsewhere.
/// </summary>
internal static class SharedData
{
    private static readonly Lazy<string?> Root = new(FindRoot);

    public static string Path(params string[] parts)
    {
        var root = Root.Value ?? throw new InvalidOperationException(
            "The shared data folder was not found: expected ../shared beside the repository checkout, or set QUARRY_SHARED.");
        return System.IO.Path.Combine([root, .. parts]);
    }

    public static bool Available => Root.Value is not null;

    private static string? FindRoot()
    {
        var env = Environment.GetEnvironmentVariable("QUARRY_SHARED");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(System.IO.Path.Combine(candidate, "datasets"))) return candidate;
        }
        return null;
    }
}

/// <summary>A fact that is skipped, with the reason shown, when ../shared is not beside the checkout.</summary>
internal sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (!SharedData.Available) Skip = "Shared test data not found: place it in ../shared beside the checkout or set QUARRY_SHARED.";
    }
}
