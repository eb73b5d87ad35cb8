using System.Text.Json;

namespace Quarry.Models.Local.Loading;

/// <summary>The fields of a Hugging Face BERT <c>config.json</c> that shape the forward pass.</summary>
internal sealed record BertConfig(
    IReadOnlyList<string> Architectures,
    int VocabSize,
    int HiddenSize,
    int Layers,
    int Heads,
    int IntermediateSize,
    int MaxPositions,
    int TypeVocabSize,
    float LayerNormEpsilon,
    string HiddenAct,
    int Labels)
{
    public int HeadSize => HiddenSize / Heads;

    public bool IsSequenceClassifier => Architectures.Contains("BertForSequenceClassification");

    /// <summary>Encoder families that share BERT's weights layout and forward pass exactly.</summary>
    private static readonly string[] SupportedTypes = ["bert"];

    private static readonly string[] SupportedActivations = ["gelu", "gelu_new", "gelu_pytorch_tanh", "relu"];

    public static BertConfig Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var json = JsonDocument.Parse(stream);
        var root = json.RootElement;
        var type = root.TryGetProperty("model_type", out var mt) ? mt.GetString() : null;
        var architectures = root.TryGetProperty("architectures", out var arch) && arch.ValueKind == JsonValueKind.Array
            ? arch.EnumerateArray().Select(a => a.GetString() ?? "").ToArray()
            : [];
        if (type is null || !SupportedTypes.Contains(type))
            throw new ModelNotSupportedException(
                $"{path}: model_type '{type ?? "(missing)"}' ({string.Join(", ", architectures)}) is not supported; Quarry runs BERT-family encoders " +
                "(model_type \"bert\": all-MiniLM, bge-small/base, gte, e5, ms-marco MiniLM cross-encoders) and Model2Vec static models.");

        var position = root.TryGetProperty("position_embedding_type", out var pe) ? pe.GetString() : "absolute";
        if (position != "absolute")
            throw new ModelNotSupportedException($"{path}: position_embedding_type '{position}' is not supported (only 'absolute').");
        var act = root.TryGetProperty("hidden_act", out var ha) ? ha.GetString() ?? "gelu" : "gelu";
        if (!SupportedActivations.Contains(act))
            throw new ModelNotSupportedException($"{path}: hidden_act '{act}' is not supported ({string.Join(", ", SupportedActivations)}).");

        var labels = root.TryGetProperty("num_labels", out var nl) ? nl.GetInt32()
            : root.TryGetProperty("id2label", out var id2) && id2.ValueKind == JsonValueKind.Object ? id2.EnumerateObject().Count()
            : 2;
        var config = new BertConfig(
            architectures,
            Required(root, "vocab_size", path),
            Required(root, "hidden_size", path),
            Required(root, "num_hidden_layers", path),
            Required(root, "num_attention_heads", path),
            Required(root, "intermediate_size", path),
            root.TryGetProperty("max_position_embeddings", out var mp) ? mp.GetInt32() : 512,
            root.TryGetProperty("type_vocab_size", out var tv) ? tv.GetInt32() : 2,
            root.TryGetProperty("layer_norm_eps", out var eps) ? (float)eps.GetDouble() : 1e-12f,
            act,
            labels);
        if (config.HiddenSize % config.Heads != 0)
            throw new InvalidDataException($"{path}: hidden_size {config.HiddenSize} is not a multiple of num_attention_heads {config.Heads}.");
        return config;
    }

    private static int Required(JsonElement root, string name, string path) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetInt32()
            : throw new InvalidDataException($"{path} has no '{name}'.");
}

/// <summary>A model folder is valid but of a kind Quarry cannot run; the message names what is unsupported.</summary>
public sealed class ModelNotSupportedException(string message) : Exception(message);
