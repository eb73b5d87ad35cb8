using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Quarry.Models.Local.Hub;
using Quarry.Models.Local.Loading;

namespace Quarry.Models.Local.Builtin;

/// <summary>
/// Turns a built-in model's package into a model folder in the model cache, once:
/// <c>{cache}/builtin/{name}-{package version}/</c> with <c>model.safetensors</c>, <c>config.json</c>, <c>vocab.txt</c>
/// and the sentence-transformers modules, the layout every <c>local:</c> model has, run by the same runtime. The folder
/// is written under a temporary name and renamed into place, so a reader never sees half a model and two processes
/// converting at once both end with the same complete folder.
/// </summary>
internal sealed class BuiltinModelStore(ModelCache cache, string packageDirectory)
{
    /// <summary>Where the build copies the packages' assemblies (Quarry.Models.Local.csproj).</summary>
    public static string DefaultPackageDirectory => Path.Combine(AppContext.BaseDirectory, "builtin-models");

    public string PackageAssembly(BuiltinModel model) => Path.Combine(packageDirectory, model.Package + ".dll");

    /// <exception cref="ModelFolderException">The package's assembly is not where the build puts it.</exception>
    public string FolderOf(BuiltinModel model)
    {
        var assembly = PackageAssembly(model);
        if (!File.Exists(assembly))
            throw new ModelFolderException($"The built-in model {model.Id} needs {assembly} (from the NuGet package {model.Package}); it is copied there by the build.");
        var version = AssemblyName.GetAssemblyName(assembly).Version?.ToString() ?? "0";
        return Path.Combine(cache.Root, "builtin", $"{model.Name}-{version}");
    }

    public bool IsConverted(BuiltinModel model) => File.Exists(Path.Combine(FolderOf(model), ModelCache.ManifestFile));

    /// <summary>The model's folder, converting the package first if no process has yet.</summary>
    public ModelFolder Ensure(BuiltinModel model)
    {
        var folder = FolderOf(model);
        if (File.Exists(Path.Combine(folder, ModelCache.ManifestFile))) return ModelFolder.Open(folder);
        Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
        var temporary = $"{folder}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            Convert(model, temporary);
            try
            {
                Directory.Move(temporary, folder);
            }
            catch (IOException) when (File.Exists(Path.Combine(folder, ModelCache.ManifestFile)))
            {
                // Another process converted it first; its folder is the same model.
            }
        }
        finally
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        }
        return ModelFolder.Open(folder);
    }

    private void Convert(BuiltinModel model, string target)
    {
        var (onnx, vocab) = ReadResources(model);
        var tensors = OnnxBertCheckpoint.Extract(OnnxGraph.Parse(onnx));
        Directory.CreateDirectory(target);
        SafeTensorsWriter.Write(Path.Combine(target, ModelFolder.WeightsFile), tensors.Select(t => (t.Key, t.Value.Shape, t.Value.Data)));
        // The vocabulary resources have CRLF line ends: with the \r kept no special token would be found.
        File.WriteAllText(Path.Combine(target, ModelFolder.VocabFile), Encoding.UTF8.GetString(vocab).Replace("\r", "", StringComparison.Ordinal));
        WriteJson(target, ModelFolder.ConfigFile, Config(tensors));
        WriteJson(target, "tokenizer_config.json", new JsonObject { ["do_lower_case"] = true, ["model_max_length"] = model.MaxSequenceLength });
        WriteJson(target, "sentence_bert_config.json", new JsonObject { ["max_seq_length"] = model.MaxSequenceLength, ["do_lower_case"] = false });
        WriteJson(target, ModelFolder.ModulesFile, new JsonArray(
            Module(0, "", "Transformer"), Module(1, "1_Pooling", "Pooling"), Module(2, "2_Normalize", "Normalize")));
        Directory.CreateDirectory(Path.Combine(target, "1_Pooling"));
        WriteJson(target, "1_Pooling/config.json", new JsonObject
        {
            ["word_embedding_dimension"] = tensors.Values.First(t => t.Name.EndsWith("word_embeddings.weight", StringComparison.Ordinal)).Shape[1],
            ["pooling_mode_cls_token"] = model.Pooling == PoolingMode.Cls,
            ["pooling_mode_mean_tokens"] = model.Pooling == PoolingMode.Mean,
        });
        if (model.QueryPrefix is not null)
            WriteJson(target, "config_sentence_transformers.json", new JsonObject { ["prompts"] = new JsonObject { ["query"] = model.QueryPrefix } });
        var manifest = new ModelManifest(model.Id, Path.GetFileName(FolderOf(model)), null,
            [.. Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories)
                .Select(f => new ManifestFile(Path.GetRelativePath(target, f), new FileInfo(f).Length, null, null))]);
        // Last: the manifest marks the folder complete.
        File.WriteAllText(Path.Combine(target, ModelCache.ManifestFile), JsonSerializer.Serialize(manifest, ModelManifest.JsonOptions));
    }

    /// <summary>The ONNX model and vocabulary bytes, read from the package's assembly loaded only to read them.</summary>
    private (byte[] Onnx, byte[] Vocab) ReadResources(BuiltinModel model)
    {
        var context = new AssemblyLoadContext($"quarry-builtin-{model.Name}", isCollectible: true);
        try
        {
            var assembly = context.LoadFromAssemblyPath(PackageAssembly(model));
            return (Read(assembly, model.ModelResource), Read(assembly, model.VocabResource));
        }
        finally
        {
            context.Unload();
        }
    }

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new ModelFolderException($"{assembly.Location} has no resource {name}.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>BERT's config.json, sized from the tensors themselves. Heads, epsilon and activation are not in the
    /// tensors; both models are MiniLM-L6 (12 heads, GELU, 1e-12).</summary>
    private static JsonObject Config(IReadOnlyDictionary<string, OnnxTensor> tensors)
    {
        OnnxTensor Find(string suffix) => tensors.Values.FirstOrDefault(t => t.Name.EndsWith(suffix, StringComparison.Ordinal))
            ?? throw new InvalidDataException($"The ONNX model has no tensor '*{suffix}'.");
        var words = Find("embeddings.word_embeddings.weight");
        var layers = 0;
        while (tensors.Keys.Any(k => k.Contains($"encoder.layer.{layers}.", StringComparison.Ordinal))) layers++;
        return new JsonObject
        {
            ["architectures"] = new JsonArray("BertModel"),
            ["model_type"] = "bert",
            ["vocab_size"] = words.Shape[0],
            ["hidden_size"] = words.Shape[1],
            ["num_hidden_layers"] = layers,
            ["num_attention_heads"] = 12,
            ["intermediate_size"] = Find("encoder.layer.0.intermediate.dense.weight").Shape[0],
            ["max_position_embeddings"] = Find("embeddings.position_embeddings.weight").Shape[0],
            ["type_vocab_size"] = Find("embeddings.token_type_embeddings.weight").Shape[0],
            ["layer_norm_eps"] = 1e-12,
            ["hidden_act"] = "gelu",
            ["position_embedding_type"] = "absolute",
        };
    }

    private static JsonObject Module(int index, string path, string type) => new()
    {
        ["idx"] = index,
        ["name"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["path"] = path,
        ["type"] = "sentence_transformers.models." + type,
    };

    private static void WriteJson(string folder, string name, JsonNode json) =>
        File.WriteAllText(Path.Combine(folder, name), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
}
