namespace Quarry.Benchmarks;

/// <summary>Finds ../shared beside the checkout (or $QUARRY_SHARED) from wherever BenchmarkDotNet runs the job.</summary>
internal static class SharedDataPath
{
    public static string Get(params string[] parts)
    {
        var env = Environment.GetEnvironmentVariable("QUARRY_SHARED");
        if (!string.IsNullOrEmpty(env)) return Path.Combine([env, .. parts]);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "datasets");
            if (Directory.Exists(candidate)) return Path.Combine([Path.Combine(dir.FullName, "shared"), .. parts]);
        }
        throw new DirectoryNotFoundException("../shared was not found; set QUARRY_SHARED.");
    }
}
