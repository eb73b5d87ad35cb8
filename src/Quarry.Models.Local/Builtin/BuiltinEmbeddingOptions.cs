using System.ComponentModel.DataAnnotations;
using Quarry.Embedding;

namespace Quarry.Models.Local.Builtin;

/// <summary>A built-in embedding model (<see cref="BuiltinModel"/>) and how it runs.</summary>
public sealed class BuiltinEmbeddingOptions
{
    public const string SectionName = "Models:Embeddings:Builtin";

    /// <summary><c>minilm</c> or <c>arctic-xs</c> (with or without <c>builtin:</c>).</summary>
    public string Model { get; set; } = BuiltinModel.MiniLM.Name;

    /// <summary>Cores one forward pass may use.</summary>
    [Range(1, 1024)]
    public int Threads { get; set; } = Environment.ProcessorCount;

    /// <summary>Longest input in model tokens (longer texts are truncated); default the model's own.</summary>
    [Range(8, 512)]
    public int? MaxSequenceLength { get; set; }

    /// <summary>Tokens per forward pass; larger batches run as several passes.</summary>
    [Range(64, 1 << 20)]
    public int MaxBatchTokens { get; set; } = 8192;

    /// <summary>How the dense layers multiply. <c>Int8</c> by default: measured on MiniLM 1.6–1.9× the throughput of
    /// <c>Float32</c>, vectors at cosine 0.996 to its, the same nDCG on squad-dev-a (docs/LOCAL-MODELS.md).</summary>
    [EnumDataType(typeof(ModelPrecision))]
    public ModelPrecision Precision { get; set; } = ModelPrecision.Int8;

    /// <summary>Replaces the model's query prefix (arctic-xs: its retrieval instruction); "" for none.</summary>
    [MaxLength(EmbeddingPrefixes.MaxLength)]
    public string? QueryPrefix { get; set; }

    /// <summary>Put before each document chunk; none by default.</summary>
    [MaxLength(EmbeddingPrefixes.MaxLength)]
    public string? DocumentPrefix { get; set; }

    /// <summary>Where the packages' assemblies are; default <c>builtin-models/</c> beside Quarry's own.</summary>
    public string? PackageDirectory { get; set; }
}
