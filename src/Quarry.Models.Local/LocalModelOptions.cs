using System.ComponentModel.DataAnnotations;
using Quarry.Embedding;
using Quarry.Models.Local.Loading;

namespace Quarry.Models.Local;

/// <summary>A model run in-process: which one and how.</summary>
public abstract class LocalModelOptions
{
    /// <summary>A Hugging Face model id (<c>BAAI/bge-small-en-v1.5</c>, optionally <c>@revision</c>) looked up in the
    /// model cache, or a local model folder. This or <see cref="ModelPath"/> is required (checked at start-up).</summary>
    public string Model { get; set; } = "";

    /// <summary>A local model folder; when set it is used instead of looking <see cref="Model"/> up in the cache.</summary>
    public string? ModelPath { get; set; }

    /// <summary>Cores one forward pass may use.</summary>
    [Range(1, 1024)]
    public int Threads { get; set; } = Environment.ProcessorCount;

    /// <summary>Longest input in model tokens (longer texts are truncated); default what the model folder says.</summary>
    [Range(8, 8192)]
    public int? MaxSequenceLength { get; set; }

    /// <summary>Tokens per forward pass; larger batches run as several passes.</summary>
    [Range(64, 1 << 20)]
    public int MaxBatchTokens { get; set; } = 8192;

    /// <summary>How the dense layers multiply: <c>Int8</c> is faster on CPU, with vectors within cosine 0.99 of
    /// <c>Float32</c>'s on the models measured (docs/LOCAL-MODELS.md). <c>Float32</c> by default: an arbitrary hub
    /// model's (or a cross-encoder's) sensitivity to quantization has not been measured.</summary>
    [EnumDataType(typeof(ModelPrecision))]
    public ModelPrecision Precision { get; set; } = ModelPrecision.Float32;
}

/// <summary>A local embedding model (a sentence-transformers bi-encoder).</summary>
public sealed class LocalEmbeddingOptions : LocalModelOptions
{
    public const string SectionName = "Models:Embeddings:Local";

    /// <summary>Overrides the model's pooling (from 1_Pooling/config.json).</summary>
    public PoolingMode? Pooling { get; set; }

    /// <summary>Overrides whether vectors are L2-normalized (from modules.json).</summary>
    public bool? Normalize { get; set; }

    /// <summary>Text put before each query, e.g. "query: " for e5 models. Default: the model's declared prompt, or
    /// the prefix its authors publish for the known families (<see cref="EmbeddingPrefixes.Published"/>); "" for none.</summary>
    [MaxLength(EmbeddingPrefixes.MaxLength)]
    public string? QueryPrefix { get; set; }

    /// <summary>Text put before each document, e.g. "passage: " for e5 models.</summary>
    [MaxLength(EmbeddingPrefixes.MaxLength)]
    public string? DocumentPrefix { get; set; }
}

/// <summary>A local cross-encoder reranker.</summary>
public sealed class LocalRerankerOptions : LocalModelOptions
{
    public const string SectionName = "Models:Reranker:Local";
}
