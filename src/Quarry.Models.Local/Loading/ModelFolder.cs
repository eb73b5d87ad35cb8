using System.Text.Json;
using Quarry.Tokenization;

namespace Quarry.Models.Local.Loading;

/// <summary>
/// A Hugging Face model folder as published: <c>config.json</c>, <c>model.safetensors</c>, <c>tokenizer.json</c> and/or
/// <c>vocab.txt</c>, and for sentence-transformers models <c>modules.json</c> with its pooling and normalization
/// modules. Reads what the forward pass needs and refuses, naming the file, anything it could only get wrong.
/// </summary>
internal sealed class ModelFolder
{
    public const string ConfigFile = "config.json";
    public const string WeightsFile = "model.safetensors";
    public const string TokenizerFile = "tokenizer.json";
    public const string VocabFile = "vocab.txt";
    public const string ModulesFile = "modules.json";

    private ModelFolder(string path) => Path = path;

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public bool Has(string name) => System.IO.File.Exists(File(name));

    /// <summary>Checks that the folder has the files every supported model needs.</summary>
    public static ModelFolder Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!Directory.Exists(path))
            throw new ModelFolderException($"The model folder {path} does not exist.");
        var folder = new ModelFolder(System.IO.Path.GetFullPath(path));
        var missing = new List<string>();
        if (!folder.Has(ConfigFile)) missing.Add(ConfigFile);
        if (!folder.Has(WeightsFile)) missing.Add(WeightsFile);
        if (!folder.Has(TokenizerFile) && !folder.Has(VocabFile)) missing.Add($"{TokenizerFile} (or {VocabFile})");
        if (missing.Count > 0)
        {
            var hint = !folder.Has(WeightsFile) && (folder.Has("pytorch_model.bin") || folder.Has("model.onnx") || folder.Has("onnx/model.onnx"))
                ? " Only safetensors weights are read; most models on the Hugging Face hub publish model.safetensors beside other formats."
                : "";
            throw new ModelFolderException($"The model folder {folder.Path} lacks {string.Join(", ", missing)}: a Hugging Face model folder has {ConfigFile}, {WeightsFile} and {TokenizerFile} or {VocabFile}.{hint}");
        }
        return folder;
    }

    /// <summary>"model2vec" for static embedding models, otherwise the config's model_type.</summary>
    public string ModelType()
    {
        using var json = JsonDocument.Parse(System.IO.File.ReadAllBytes(File(ConfigFile)));
        return json.RootElement.TryGetProperty("model_type", out var type) ? type.GetString() ?? "" : "";
    }

    public BertWordPieceTokenizer LoadTokenizer()
    {
        if (Has(TokenizerFile)) return BertWordPieceTokenizer.FromTokenizerJson(File(TokenizerFile));
        var lowerCase = true;
        bool? stripAccents = null;
        if (Has("tokenizer_config.json"))
        {
            using var json = JsonDocument.Parse(System.IO.File.ReadAllBytes(File("tokenizer_config.json")));
            var root = json.RootElement;
            if (root.TryGetProperty("do_lower_case", out var lc) && lc.ValueKind is JsonValueKind.True or JsonValueKind.False)
                lowerCase = lc.GetBoolean();
            if (root.TryGetProperty("strip_accents", out var sa) && sa.ValueKind is JsonValueKind.True or JsonValueKind.False)
                stripAccents = sa.GetBoolean();
        }
        return BertWordPieceTokenizer.FromFile(File(VocabFile), lowerCase, stripAccents);
    }

    /// <summary>
    /// The longest input the model is meant to see: sentence-transformers' max_seq_length, else the tokenizer's
    /// model_max_length, never more than the position embeddings allow.
    /// </summary>
    public int MaxSequenceLength(int maxPositions)
    {
        var limit = maxPositions;
        if (ReadInt("sentence_bert_config.json", "max_seq_length") is { } seq and > 0) return Math.Min(seq, limit);
        if (ReadInt("tokenizer_config.json", "model_max_length") is { } tok and > 0 and < 1_000_000) return Math.Min(tok, limit);
        return limit;
    }

    /// <summary>The sentence-transformers pipeline after the transformer: pooling mode and whether vectors are
    /// L2-normalized. Without modules.json (a plain transformers checkpoint) nothing is known.</summary>
    public (PoolingMode? Pooling, bool Normalize) ReadSentenceTransformersModules()
    {
        if (!Has(ModulesFile)) return (null, false);
        using var json = JsonDocument.Parse(System.IO.File.ReadAllBytes(File(ModulesFile)));
        PoolingMode? pooling = null;
        var normalize = false;
        foreach (var module in json.RootElement.EnumerateArray())
        {
            var type = module.GetProperty("type").GetString() ?? "";
            var path = module.TryGetProperty("path", out var p) ? p.GetString() ?? "" : "";
            switch (type[(type.LastIndexOf('.') + 1)..])
            {
                case "Transformer":
                case "StaticEmbedding":
                    break;
                case "Pooling":
                    pooling = ReadPooling(System.IO.Path.Combine(path, "config.json"));
                    break;
                case "Normalize":
                    normalize = true;
                    break;
                default:
                    throw new ModelNotSupportedException($"{File(ModulesFile)}: module '{type}' is not supported (Transformer, Pooling and Normalize are).");
            }
        }
        return (pooling, normalize);
    }

    /// <summary>Query and document prompts from config_sentence_transformers.json, when the model declares them.</summary>
    public (string? Query, string? Document) ReadPrompts()
    {
        const string name = "config_sentence_transformers.json";
        if (!Has(name)) return (null, null);
        using var json = JsonDocument.Parse(System.IO.File.ReadAllBytes(File(name)));
        if (!json.RootElement.TryGetProperty("prompts", out var prompts) || prompts.ValueKind != JsonValueKind.Object) return (null, null);
        static string? Get(JsonElement prompts, params string[] keys)
        {
            foreach (var key in keys)
            {
                if (prompts.TryGetProperty(key, out var v) && v.GetString() is { Length: > 0 } s) return s;
            }
            return null;
        }
        return (Get(prompts, "query"), Get(prompts, "document", "passage", "corpus"));
    }

    private PoolingMode ReadPooling(string relative)
    {
        var path = File(relative);
        if (!System.IO.File.Exists(path))
            throw new ModelFolderException($"{File(ModulesFile)} names a pooling module but {path} is missing.");
        using var json = JsonDocument.Parse(System.IO.File.ReadAllBytes(path));
        var root = json.RootElement;
        bool Flag(string key) => root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.True;
        string[] unsupported = ["pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"];
        foreach (var key in unsupported)
        {
            if (Flag(key)) throw new ModelNotSupportedException($"{path}: {key} is not supported (CLS and mean pooling are).");
        }
        var cls = Flag("pooling_mode_cls_token");
        var mean = Flag("pooling_mode_mean_tokens");
        if (cls == mean)
            throw new ModelNotSupportedException($"{path}: exactly one of pooling_mode_cls_token and pooling_mode_mean_tokens must be set.");
        return cls ? PoolingMode.Cls : PoolingMode.Mean;
    }

    private int? ReadInt(string file, string key)
    {
        if (!Has(file)) return null;
        using var json = JsonDocument.Parse(System.IO.File.ReadAllBytes(File(file)));
        return json.RootElement.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n)
            ? (int)Math.Min(n, int.MaxValue)
            : null;
    }
}

public enum PoolingMode
{
    /// <summary>Average of the token vectors (sentence-transformers' mean pooling).</summary>
    Mean,

    /// <summary>The [CLS] token's vector (bge models).</summary>
    Cls,
}

/// <summary>A model folder is missing files or is unreadable; the message names what is missing.</summary>
public sealed class ModelFolderException(string message, Exception? inner = null) : Exception(message, inner);
