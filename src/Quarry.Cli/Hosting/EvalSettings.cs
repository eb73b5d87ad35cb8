using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quarry.Evaluation;
using Quarry.Retrieval;

namespace Quarry.Cli.Hosting;

/// <summary>What the evaluation commands share: their own data directory, the query split and the configuration
/// they report beside every figure.</summary>
internal static class EvalSettings
{
    public static Option<QuerySplit> Split() => new("--split")
    {
        Description = "Evaluate all queries, or only the even or odd half (by the judged document id's trailing number).",
        DefaultValueFactory = _ => QuerySplit.All,
    };

    /// <summary>
    /// Evaluations ingest whole corpora, so unless <c>--data</c> names a directory they write into their own
    /// (<c>$QUARRY_EVAL_DATA</c>, else <c>~/.cache/quarry/eval</c>), never into the user's knowledge bases. Kept between
    /// runs: corpora are ingested and embedded once.
    /// </summary>
    public static string DataDirectory(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.GetValue(CliContext.Data) is { } explicitDirectory) return explicitDirectory.FullName;
        var env = Environment.GetEnvironmentVariable("QUARRY_EVAL_DATA");
        if (!string.IsNullOrWhiteSpace(env)) return Path.GetFullPath(env);
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrWhiteSpace(cache)) cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "quarry", "eval");
    }

    /// <summary>The settings that decide the figures: model, fusion and its weights, depth.</summary>
    public static Dictionary<string, object?> Describe(IServiceProvider services, string dataDirectory, QuerySplit split)
    {
        var retrieval = services.GetRequiredService<IOptions<RetrievalOptions>>().Value;
        var embedder = services.GetService<Quarry.Embedding.IEmbedder>()?.Model.Id;
        return new Dictionary<string, object?>
        {
            ["embedder"] = embedder,
            ["fusion"] = embedder is null ? "keyword" : retrieval.Fusion == FusionMethod.Scores ? "scores" : "reciprocal-rank",
            ["keywordWeight"] = retrieval.KeywordWeight,
            ["vectorWeight"] = retrieval.VectorWeight,
            ["charNgramWeight"] = retrieval.CharNgramWeight,
            ["rrfK"] = retrieval.Fusion == FusionMethod.ReciprocalRank ? retrieval.RrfK : null,
            ["candidatesPerSearch"] = retrieval.CandidatesPerSearch,
            ["reranker"] = services.GetService<Quarry.Reranking.IReranker>()?.ModelId,
            ["split"] = split.ToString().ToLowerInvariant(),
            ["dataDirectory"] = dataDirectory,
        };
    }

    /// <summary>One line for humans: "config: embedder=… fusion=… …" (unset settings left out).</summary>
    public static string Line(IReadOnlyDictionary<string, object?> config) =>
        "config: " + string.Join("  ", config.Where(c => c.Value is not null).Select(c => FormattableString.Invariant($"{c.Key}={c.Value}")));
}
