using Quarry.Models.Local.Loading;

namespace Quarry.Models.Local.Inference;

/// <summary>
/// A BERT checkpoint's tensors, float32, with every linear layer packed for <see cref="Gemm"/> (or quantized for
/// <see cref="Int8Gemm"/>). Query, key and value
/// projections are fused into one matrix (one pass over the hidden states instead of three), and the query half is
/// pre-scaled by 1/√head_size so that attention scores need no separate scaling.
/// </summary>
internal sealed class BertWeights
{
    public required float[] WordEmbeddings { get; init; }
    public required float[] PositionEmbeddings { get; init; }
    public required float[] TokenTypeEmbeddings { get; init; }
    public required float[] EmbeddingNormWeight { get; init; }
    public required float[] EmbeddingNormBias { get; init; }
    public required BertLayerWeights[] Layers { get; init; }

    /// <summary>Pooler and classifier, present for sequence classifiers (cross-encoders).</summary>
    public ClassifierWeights? Classifier { get; init; }

    public static BertWeights Load(SafeTensorsFile file, BertConfig config, bool classifier, ModelPrecision precision = ModelPrecision.Float32) =>
        Load(new SafeTensorsSource(file), config, classifier, precision);

    /// <summary>Random weights of the right shapes (for benchmarks: speed does not depend on the values).</summary>
    internal static BertWeights Random(BertConfig config, int seed, ModelPrecision precision = ModelPrecision.Float32) =>
        Load(new RandomSource(seed), config, classifier: false, precision);

    private static BertWeights Load(ITensorSource file, BertConfig config, bool classifier, ModelPrecision precision)
    {
        var prefix = file.Contains("embeddings.word_embeddings.weight") ? ""
            : file.Contains("bert.embeddings.word_embeddings.weight") ? "bert."
            : throw new InvalidDataException($"{file.Path} holds no BERT encoder weights (no 'embeddings.word_embeddings.weight' or 'bert.embeddings.word_embeddings.weight').");
        var h = config.HiddenSize;
        var layers = new BertLayerWeights[config.Layers];
        for (var l = 0; l < layers.Length; l++) layers[l] = LoadLayer(file, config, $"{prefix}encoder.layer.{l}.", precision);
        return new BertWeights
        {
            WordEmbeddings = file.ReadSingle(prefix + "embeddings.word_embeddings.weight", config.VocabSize, h),
            PositionEmbeddings = file.ReadSingle(prefix + "embeddings.position_embeddings.weight", config.MaxPositions, h),
            TokenTypeEmbeddings = file.ReadSingle(prefix + "embeddings.token_type_embeddings.weight", config.TypeVocabSize, h),
            EmbeddingNormWeight = Norm(file, prefix + "embeddings.LayerNorm", h).Weight,
            EmbeddingNormBias = Norm(file, prefix + "embeddings.LayerNorm", h).Bias,
            Layers = layers,
            Classifier = classifier ? LoadClassifier(file, config, prefix) : null,
        };
    }

    private static BertLayerWeights LoadLayer(ITensorSource file, BertConfig config, string p, ModelPrecision precision)
    {
        var h = config.HiddenSize;
        var i = config.IntermediateSize;
        var scale = 1f / MathF.Sqrt(config.HeadSize);
        var qkv = new float[3 * h * h];
        var qkvBias = new float[3 * h];
        string[] parts = ["query", "key", "value"];
        for (var part = 0; part < 3; part++)
        {
            var w = file.ReadSingle($"{p}attention.self.{parts[part]}.weight", h, h);
            var b = file.ReadSingle($"{p}attention.self.{parts[part]}.bias", h);
            if (part == 0)
            {
                for (var x = 0; x < w.Length; x++) w[x] *= scale;
                for (var x = 0; x < b.Length; x++) b[x] *= scale;
            }
            w.CopyTo(qkv, part * h * h);
            b.CopyTo(qkvBias, part * h);
        }
        var attentionNorm = Norm(file, p + "attention.output.LayerNorm", h);
        var outputNorm = Norm(file, p + "output.LayerNorm", h);
        return new BertLayerWeights
        {
            Qkv = LinearWeight.Create(qkv, 3 * h, h, precision),
            QkvBias = qkvBias,
            AttentionOutput = LinearWeight.Create(file.ReadSingle(p + "attention.output.dense.weight", h, h), h, h, precision),
            AttentionOutputBias = file.ReadSingle(p + "attention.output.dense.bias", h),
            AttentionNormWeight = attentionNorm.Weight,
            AttentionNormBias = attentionNorm.Bias,
            Intermediate = LinearWeight.Create(file.ReadSingle(p + "intermediate.dense.weight", i, h), i, h, precision),
            IntermediateBias = file.ReadSingle(p + "intermediate.dense.bias", i),
            Output = LinearWeight.Create(file.ReadSingle(p + "output.dense.weight", h, i), h, i, precision),
            OutputBias = file.ReadSingle(p + "output.dense.bias", h),
            OutputNormWeight = outputNorm.Weight,
            OutputNormBias = outputNorm.Bias,
        };
    }

    private static ClassifierWeights LoadClassifier(ITensorSource file, BertConfig config, string prefix)
    {
        var h = config.HiddenSize;
        if (!file.Contains(prefix + "pooler.dense.weight") || !file.Contains("classifier.weight"))
            throw new InvalidDataException($"{file.Path}: a BertForSequenceClassification checkpoint needs '{prefix}pooler.dense.weight' and 'classifier.weight'.");
        return new ClassifierWeights(
            file.ReadSingle(prefix + "pooler.dense.weight", h, h),
            file.ReadSingle(prefix + "pooler.dense.bias", h),
            file.ReadSingle("classifier.weight", config.Labels, h),
            file.ReadSingle("classifier.bias", config.Labels));
    }

    /// <summary>LayerNorm parameters, named weight/bias or (older TensorFlow conversions) gamma/beta.</summary>
    private static (float[] Weight, float[] Bias) Norm(ITensorSource file, string name, int h) =>
        file.Contains(name + ".weight")
            ? (file.ReadSingle(name + ".weight", h), file.ReadSingle(name + ".bias", h))
            : (file.ReadSingle(name + ".gamma", h), file.ReadSingle(name + ".beta", h));
}

internal interface ITensorSource
{
    string Path { get; }
    bool Contains(string name);
    float[] ReadSingle(string name, params int[] shape);
}

internal sealed class SafeTensorsSource(SafeTensorsFile file) : ITensorSource
{
    public string Path => file.Path;
    public bool Contains(string name) => file.Contains(name);
    public float[] ReadSingle(string name, params int[] shape) => file.ReadSingle(name, shape);
}

internal sealed class RandomSource(int seed) : ITensorSource
{
    private readonly Random _random = new(seed);
    public string Path => "(random weights)";
    public bool Contains(string name) => !name.StartsWith("bert.", StringComparison.Ordinal) && !name.EndsWith(".gamma", StringComparison.Ordinal);

    public float[] ReadSingle(string name, params int[] shape)
    {
        var values = new float[shape.Aggregate(1, (a, b) => a * b)];
        for (var i = 0; i < values.Length; i++) values[i] = (float)(_random.NextDouble() - 0.5) * 0.1f;
        return values;
    }
}

internal sealed class BertLayerWeights
{
    public required LinearWeight Qkv { get; init; }
    public required float[] QkvBias { get; init; }
    public required LinearWeight AttentionOutput { get; init; }
    public required float[] AttentionOutputBias { get; init; }
    public required float[] AttentionNormWeight { get; init; }
    public required float[] AttentionNormBias { get; init; }
    public required LinearWeight Intermediate { get; init; }
    public required float[] IntermediateBias { get; init; }
    public required LinearWeight Output { get; init; }
    public required float[] OutputBias { get; init; }
    public required float[] OutputNormWeight { get; init; }
    public required float[] OutputNormBias { get; init; }
}

/// <param name="PoolerWeight">[hidden, hidden] row-major, as in the checkpoint.</param>
/// <param name="ClassifierWeight">[labels, hidden] row-major.</param>
internal sealed record ClassifierWeights(float[] PoolerWeight, float[] PoolerBias, float[] ClassifierWeight, float[] ClassifierBias);
