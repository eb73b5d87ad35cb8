using System.Numerics.Tensors;
using Quarry.Models.Local.Inference;
using Quarry.Models.Local.Loading;
using Quarry.Tokenization;

namespace Quarry.Models.Local.Models;

/// <summary>
/// A BERT cross-encoder (<c>BertForSequenceClassification</c>): [CLS] query [SEP] passage [SEP] through the encoder,
/// then the pooler (dense + tanh on [CLS]) and the classifier.
/// </summary>
internal sealed class BertCrossEncoder
{
    private readonly BertEncoder _encoder;
    private readonly BertInputEncoder _inputs;
    private readonly ClassifierWeights _head;
    private readonly int _maxBatchTokens;

    private BertCrossEncoder(BertEncoder encoder, BertInputEncoder inputs, int maxBatchTokens)
    {
        _encoder = encoder;
        _inputs = inputs;
        _head = encoder.Weights.Classifier!;
        _maxBatchTokens = Math.Max(maxBatchTokens, inputs.MaxLength);
    }

    public int Labels => _encoder.Config.Labels;

    public int MaxSequenceLength => _inputs.MaxLength;

    public static BertCrossEncoder Load(ModelFolder folder, LocalModelSettings settings)
    {
        var config = BertConfig.Read(folder.File(ModelFolder.ConfigFile));
        if (!config.IsSequenceClassifier)
            throw new ModelNotSupportedException(
                $"{folder.File(ModelFolder.ConfigFile)}: a reranker needs a cross-encoder (architectures BertForSequenceClassification); this model is {string.Join(", ", config.Architectures)}.");
        var tokenizer = folder.LoadTokenizer();
        var maxLength = Math.Min(settings.MaxSequenceLength ?? folder.MaxSequenceLength(config.MaxPositions), config.MaxPositions);
        using var weights = SafeTensorsFile.Open(folder.File(ModelFolder.WeightsFile));
        var encoder = new BertEncoder(config, BertWeights.Load(weights, config, classifier: true, settings.Precision), settings.Threads);
        return new BertCrossEncoder(encoder, new BertInputEncoder(tokenizer, maxLength), settings.MaxBatchTokens);
    }

    /// <summary>Classifier logits per (query, passage) pair: <see cref="Labels"/> floats each.</summary>
    public float[][] Logits(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(passages);
        var result = new float[passages.Count][];
        EncoderBatch.InPasses(passages.Count, _inputs.MaxLength, _maxBatchTokens,
            (batch, i) => batch.AddPair(_inputs, query, passages[i]),
            (batch, first) => Run(batch, result, first, cancellationToken),
            cancellationToken);
        return result;
    }

    /// <summary>One relevance score per passage: the logit of a single-label model, or the log-odds of the last
    /// label against the first (monotone in its softmax probability).</summary>
    public float[] Score(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken) =>
        [.. Logits(query, passages, cancellationToken).Select(l => l.Length == 1 ? l[0] : l[^1] - l[0])];

    private void Run(EncoderBatch batch, float[][] result, int first, CancellationToken cancellationToken)
    {
        var ws = _encoder.Forward(batch, cancellationToken);
        try
        {
            var h = _encoder.Config.HiddenSize;
            var pooled = new float[h];
            for (var s = 0; s < batch.Count; s++)
            {
                var cls = ws.Hidden.AsSpan(batch.Start(s) * h, h);
                for (var j = 0; j < h; j++) pooled[j] = TensorPrimitives.Dot(_head.PoolerWeight.AsSpan(j * h, h), cls) + _head.PoolerBias[j];
                TensorPrimitives.Tanh(pooled, pooled);
                var logits = new float[Labels];
                for (var l = 0; l < logits.Length; l++) logits[l] = TensorPrimitives.Dot(_head.ClassifierWeight.AsSpan(l * h, h), pooled) + _head.ClassifierBias[l];
                result[first + s] = logits;
            }
        }
        finally
        {
            _encoder.Return(ws);
        }
    }
}
