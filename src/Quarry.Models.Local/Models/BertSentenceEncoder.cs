using System.Numerics.Tensors;
using Quarry.Models.Local.Inference;
using Quarry.Models.Local.Loading;
using Quarry.Tokenization;

namespace Quarry.Models.Local.Models;

/// <summary>A sentence-transformers bi-encoder: BERT, then mean or CLS pooling, then optional L2 normalization.</summary>
internal sealed class BertSentenceEncoder : ITextEmbeddingModel
{
    private readonly BertEncoder _encoder;
    private readonly BertInputEncoder _inputs;
    private readonly int _maxBatchTokens;

    private BertSentenceEncoder(BertEncoder encoder, BertInputEncoder inputs, PoolingMode pooling, bool normalize, int maxBatchTokens)
    {
        _encoder = encoder;
        _inputs = inputs;
        Pooling = pooling;
        Normalize = normalize;
        _maxBatchTokens = Math.Max(maxBatchTokens, inputs.MaxLength);
    }

    public int Dimension => _encoder.Config.HiddenSize;

    public int MaxSequenceLength => _inputs.MaxLength;

    public PoolingMode Pooling { get; }

    public bool Normalize { get; }

    internal BertEncoder Encoder => _encoder;

    public static BertSentenceEncoder Load(ModelFolder folder, LocalModelSettings settings)
    {
        var config = BertConfig.Read(folder.File(ModelFolder.ConfigFile));
        var (pooling, normalize) = folder.ReadSentenceTransformersModules();
        var tokenizer = folder.LoadTokenizer();
        var maxLength = Math.Min(settings.MaxSequenceLength ?? folder.MaxSequenceLength(config.MaxPositions), config.MaxPositions);
        using var weights = SafeTensorsFile.Open(folder.File(ModelFolder.WeightsFile));
        var encoder = new BertEncoder(config, BertWeights.Load(weights, config, classifier: false, settings.Precision), settings.Threads);
        // A plain transformers checkpoint says nothing about pooling: mean pooling is what sentence-transformers
        // itself falls back to.
        return new BertSentenceEncoder(encoder, new BertInputEncoder(tokenizer, maxLength),
            settings.Pooling ?? pooling ?? PoolingMode.Mean, settings.Normalize ?? normalize, settings.MaxBatchTokens);
    }

    public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        // Longest first: passes hold texts of similar length, so the groups a pass is split into (one per core, by
        // token count) also cost about the same in attention, which grows with the square of the length.
        var order = Enumerable.Range(0, texts.Count).OrderByDescending(i => texts[i].Length).ToArray();
        var sorted = new float[texts.Count][];
        EncoderBatch.InPasses(texts.Count, _inputs.MaxLength, _maxBatchTokens,
            (batch, i) => batch.AddSingle(_inputs, texts[order[i]]),
            (batch, first) => Run(batch, sorted, first, cancellationToken),
            cancellationToken);
        var result = new float[texts.Count][];
        for (var i = 0; i < order.Length; i++) result[order[i]] = sorted[i];
        return result;
    }

    private void Run(EncoderBatch batch, float[][] result, int first, CancellationToken cancellationToken)
    {
        var ws = _encoder.Forward(batch, cancellationToken);
        try
        {
            var h = Dimension;
            for (var s = 0; s < batch.Count; s++)
            {
                var start = batch.Start(s);
                var length = batch.Start(s + 1) - start;
                var vector = new float[h];
                if (Pooling == PoolingMode.Cls)
                {
                    ws.Hidden.AsSpan(start * h, h).CopyTo(vector);
                }
                else
                {
                    for (var t = start; t < start + length; t++) TensorPrimitives.Add(vector, ws.Hidden.AsSpan(t * h, h), vector);
                    TensorPrimitives.Multiply(vector, 1f / length, vector);
                }
                if (Normalize) L2Normalize(vector);
                result[first + s] = vector;
            }
        }
        finally
        {
            _encoder.Return(ws);
        }
    }

    /// <summary>x / max(‖x‖, 1e-12), as torch.nn.functional.normalize.</summary>
    internal static void L2Normalize(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm<float>(vector);
        TensorPrimitives.Multiply(vector, 1f / MathF.Max(norm, 1e-12f), vector);
    }
}
