using Quarry.Diagnostics;
using Quarry.Models.Local.Models;
using Quarry.Reranking;

namespace Quarry.Models.Local;

/// <summary>An <see cref="IReranker"/> over a BERT cross-encoder run in this process; weights load on first use.</summary>
internal sealed class LocalCrossEncoderReranker(string modelId, Func<BertCrossEncoder> load) : IReranker
{
    private readonly Lazy<Task<BertCrossEncoder>> _model = new(() => Task.Run(load));

    public string ModelId { get; } = modelId;

    public async Task<IReadOnlyList<float>> ScoreAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(passages);
        if (passages.Count == 0) return [];
        using var stage = QuarryTelemetry.StartStage("rerank.local");
        stage.Activity?.SetTag("quarry.rerank.passages", passages.Count);
        var model = await _model.Value.WaitAsync(cancellationToken);
        return await Task.Run(() => model.Score(query, passages, cancellationToken), cancellationToken);
    }
}
