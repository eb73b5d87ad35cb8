using Quarry.Models.Local.Loading;

namespace Quarry.Models.Local.Models;

/// <summary>How a model folder is run; null fields take what the folder says.</summary>
/// <param name="Threads">Cores one forward pass may use.</param>
/// <param name="MaxBatchTokens">Tokens per forward pass; more texts are run in several passes.</param>
/// <param name="Precision">How the dense layers multiply.</param>
internal sealed record LocalModelSettings(
    int Threads,
    int MaxBatchTokens = 8192,
    int? MaxSequenceLength = null,
    PoolingMode? Pooling = null,
    bool? Normalize = null,
    ModelPrecision Precision = ModelPrecision.Float32);
