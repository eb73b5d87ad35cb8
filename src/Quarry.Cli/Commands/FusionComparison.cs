using System.Globalization;
using Quarry.Cli.Hosting;
using Quarry.Documents;
using Quarry.Evaluation;
using Quarry.Retrieval;
using Quarry.Retrieval.Fusion;

namespace Quarry.Cli.Commands;

/// <summary>
/// nDCG@10 of every fusion on the same searches: each query's candidates (with what each signal said) are retrieved
/// once and ranked by each fusion, so the rows differ only in how they fuse.
/// </summary>
internal sealed class FusionComparison(RetrievalOptions options)
{
    private static readonly double[] VectorWeights = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];

    private readonly Dictionary<string, double> _ndcg = new(StringComparer.Ordinal);
    private int _queries;

    public void Add(IReadOnlyList<(Chunk Chunk, HybridCandidate Signals)> candidates, IReadOnlyDictionary<string, int> judged)
    {
        _queries++;
        var corpusIds = candidates.ToDictionary(c => c.Signals.ChunkId, c => DatasetKnowledgeBase.CorpusId(c.Chunk.SourceUri));
        var signals = candidates.Select(c => c.Signals).ToList();
        var keyword = signals.Where(c => c.KeywordRank is not null).ToList();
        var c = options.CharNgramWeight;

        Score("keyword (BM25)", keyword.OrderBy(h => h.KeywordRank).Select(h => h.ChunkId));
        Score("keyword + n-grams (offline default)", HybridScoreFusion.Rank(keyword, new HybridWeights(1, 0, c)).Select(r => r.Candidate.ChunkId));
        if (signals.All(s => s.VectorRank is null)) return;
        Score("dense", signals.Where(h => h.VectorRank is not null).OrderBy(h => h.VectorRank).Select(h => h.ChunkId));
        var rrf = ReciprocalRankFusion.Fuse(
            [
                new FusionList("keyword", keyword.Select(h => new ScoredChunk(h.ChunkId, default, h.KeywordScore!.Value)).ToList()),
                new FusionList("vector", signals.Where(h => h.VectorScore is not null).Select(h => new ScoredChunk(h.ChunkId, default, h.VectorScore!.Value)).ToList()),
            ]);
        Score("RRF k=60, equal weights (before)", rrf.Select(f => f.ChunkId));
        foreach (var w in VectorWeights)
        {
            Score(FormattableString.Invariant($"scores {1 - w:0.0}/{w:0.0} + n-grams"), HybridScoreFusion.Rank(signals, new HybridWeights(1 - w, w, c)).Select(r => r.Candidate.ChunkId));
            Score(FormattableString.Invariant($"scores {1 - w:0.0}/{w:0.0}, no n-grams"), HybridScoreFusion.Rank(signals, new HybridWeights(1 - w, w, 0)).Select(r => r.Candidate.ChunkId));
        }

        void Score(string name, IEnumerable<ChunkId> ranking)
        {
            var documents = ranking.Select(id => corpusIds[id]).Distinct(StringComparer.Ordinal).ToList();
            _ndcg[name] = _ndcg.GetValueOrDefault(name) + RetrievalMetrics.Ndcg(documents, judged, 10);
        }
    }

    public Dictionary<string, double> Report() => _ndcg.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value / Math.Max(1, _queries), 4));

    public void Print(TextWriter output)
    {
        foreach (var (name, value) in Report()) output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  nDCG@10 {value:F4}  {name}"));
    }
}
