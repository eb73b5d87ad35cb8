using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quarry.Embedding;
using Quarry.Models.Local.Hub;
using Quarry.Models.Local.Loading;
using Quarry.Models.Local.Models;
using Quarry.Models.Local.Tests.TestSupport;
using Quarry.Reranking;

namespace Quarry.Models.Local.Tests;

/// <summary>Model folders as published, what is refused and why, and the registrations' start-up validation.</summary>
public sealed class ModelFolderTests : IDisposable
{
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "quarry-folder-" + Guid.NewGuid().ToString("N"));

    public ModelFolderTests() => Directory.CreateDirectory(_temp);

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    /// <summary>A copy of a fixture model, for tests that break one of its files.</summary>
    private string CopyOf(string fixture)
    {
        var target = Path.Combine(_temp, fixture);
        foreach (var file in Directory.EnumerateFiles(Fixtures.Path(fixture), "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(Fixtures.Path(fixture), file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
        return target;
    }

    private static void EditJson(string path, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    [Fact]
    public void A_folder_without_weights_or_tokenizer_is_refused_naming_what_is_missing()
    {
        var folder = Path.Combine(_temp, "empty-ish");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), "{}");
        File.WriteAllText(Path.Combine(folder, "pytorch_model.bin"), "");

        var open = () => ModelFolder.Open(folder);

        open.Should().Throw<ModelFolderException>()
            .WithMessage("*lacks model.safetensors, tokenizer.json (or vocab.txt)*Only safetensors weights are read*");
    }

    [Fact]
    public void An_unknown_architecture_is_refused_by_name()
    {
        var folder = CopyOf("bert-tiny-f32");
        EditJson(Path.Combine(folder, "config.json"), c =>
        {
            c["model_type"] = "xlm-roberta";
            c["architectures"] = new JsonArray("XLMRobertaForSequenceClassification");
        });

        var load = () => BertSentenceEncoder.Load(ModelFolder.Open(folder), new LocalModelSettings(1));

        load.Should().Throw<ModelNotSupportedException>().WithMessage("*model_type 'xlm-roberta' (XLMRobertaForSequenceClassification) is not supported*");
    }

    [Fact]
    public void Unsupported_pooling_is_refused()
    {
        var folder = CopyOf("bert-tiny-f32");
        EditJson(Path.Combine(folder, "1_Pooling", "config.json"), c => c["pooling_mode_max_tokens"] = true);

        var load = () => BertSentenceEncoder.Load(ModelFolder.Open(folder), new LocalModelSettings(1));

        load.Should().Throw<ModelNotSupportedException>().WithMessage("*pooling_mode_max_tokens is not supported*");
    }

    [Fact]
    public void Weights_that_do_not_fit_the_config_are_refused()
    {
        var folder = CopyOf("bert-tiny-f32");
        EditJson(Path.Combine(folder, "config.json"), c => c["intermediate_size"] = 512);

        var load = () => BertSentenceEncoder.Load(ModelFolder.Open(folder), new LocalModelSettings(1));

        load.Should().Throw<InvalidDataException>().WithMessage("*intermediate.dense.weight' has shape [256, 64]; config.json implies [512, 64]*");
    }

    [Fact]
    public void A_truncated_weights_file_is_refused()
    {
        var folder = CopyOf("bert-tiny-f32");
        var weights = Path.Combine(folder, "model.safetensors");
        using (var stream = new FileStream(weights, FileMode.Open)) stream.SetLength(stream.Length / 2);

        var load = () => BertSentenceEncoder.Load(ModelFolder.Open(folder), new LocalModelSettings(1));

        load.Should().Throw<InvalidDataException>().WithMessage("*does not fit its shape or the file*");
    }

    [Fact]
    public void Known_families_get_their_published_prompts()
    {
        var folder = ModelFolder.Open(Fixtures.Path("bert-tiny-f32"));

        LocalEmbedder.DefaultPrompts(folder, "intfloat/e5-small-v2").Should().Be(("query: ", "passage: "));
        LocalEmbedder.DefaultPrompts(folder, "BAAI/bge-small-en-v1.5").Query.Should().StartWith("Represent this sentence");
        LocalEmbedder.DefaultPrompts(folder, "sentence-transformers/all-MiniLM-L6-v2").Should().Be(((string?)null, (string?)null));
        LocalEmbedder.DefaultPrompts(folder, "Snowflake/snowflake-arctic-embed-xs").Should().Be((EmbeddingPrefixes.RetrievalInstruction, (string?)null));
        LocalEmbedder.DefaultPrompts(folder, "nomic-ai/nomic-embed-text-v1.5").Should().Be(("search_query: ", "search_document: "));
    }

    [Fact]
    public async Task The_registered_embedder_runs_a_model_folder_with_its_prefixes()
    {
        var services = new ServiceCollection()
            .AddQuarryModelHub(o => o.CacheDirectory = _temp)
            .AddQuarryLocalEmbeddings(o =>
            {
                o.ModelPath = Fixtures.Path("bert-tiny-f32");
                o.QueryPrefix = "query: ";
                o.Threads = 2;
            })
            .BuildServiceProvider();
        services.GetRequiredService<IStartupValidator>().Validate();
        var embedder = services.GetRequiredService<IEmbedder>();

        var query = await embedder.EmbedAsync(["Hello, world!"], EmbeddingKind.Query, CancellationToken.None);
        var document = await embedder.EmbedAsync(["Hello, world!"], EmbeddingKind.Document, CancellationToken.None);

        embedder.Model.Dimension.Should().Be(64);
        embedder.Model.Id.Should().Be("local:" + Fixtures.Path("bert-tiny-f32"));
        // Without a document prefix the document vector is PyTorch's vector of the bare text.
        var expected = Fixtures.Floats(Fixtures.Expected("bert-tiny-f32").GetProperty("embeddings")[0]);
        Fixtures.Cosine(document[0].Span, expected).Should().BeGreaterThan(0.9999);
        Fixtures.Cosine(query[0].Span, expected).Should().BeLessThan(0.999, "the query was embedded with its prefix");
    }

    [Fact]
    public void A_model_that_is_not_downloaded_fails_start_up_with_the_command_that_fixes_it()
    {
        var services = new ServiceCollection()
            .AddQuarryModelHub(o => o.CacheDirectory = _temp)
            .AddQuarryLocalEmbeddings(o => o.Model = "BAAI/bge-small-en-v1.5")
            .BuildServiceProvider();

        var validate = () => services.GetRequiredService<IStartupValidator>().Validate();

        validate.Should().Throw<OptionsValidationException>().WithMessage("*Model BAAI/bge-small-en-v1.5 is not downloaded*quarry models pull BAAI/bge-small-en-v1.5*");
    }

    [Fact]
    public async Task The_registered_reranker_scores_with_the_cross_encoder_and_refuses_a_bi_encoder()
    {
        var refused = new ServiceCollection()
            .AddQuarryLocalReranker(o => o.ModelPath = Fixtures.Path("bert-tiny-f32"))
            .BuildServiceProvider();
        var validate = () => refused.GetRequiredService<IStartupValidator>().Validate();
        validate.Should().Throw<OptionsValidationException>().WithMessage("*is not a cross-encoder*BertForSequenceClassification*");

        var services = new ServiceCollection()
            .AddQuarryLocalReranker(o => o.ModelPath = Fixtures.Path("cross-encoder-tiny-bf16"))
            .BuildServiceProvider();
        services.GetRequiredService<IStartupValidator>().Validate();
        var expected = Fixtures.Expected("cross-encoder-tiny-bf16");
        var passages = expected.GetProperty("passages").EnumerateArray().Select(p => p.GetString()!).ToList();

        var scores = await services.GetRequiredService<IReranker>().ScoreAsync(expected.GetProperty("query").GetString()!, passages, CancellationToken.None);

        var logits = expected.GetProperty("logits").EnumerateArray().Select(l => l[0].GetSingle()).ToList();
        scores.Should().HaveCount(passages.Count);
        for (var i = 0; i < passages.Count; i++) scores[i].Should().BeApproximately(logits[i], 1e-3f);
    }

    [Fact]
    public void Model_references_parse_hub_ids_revisions_and_folders()
    {
        ModelReference.Parse("BAAI/bge-small-en-v1.5").Should().Match<ModelReference>(m => m.Repository == "BAAI/bge-small-en-v1.5" && m.Revision == "main" && !m.IsLocal);
        ModelReference.Parse("local:cross-encoder/ms-marco-MiniLM-L-6-v2@v1.0").Should().Match<ModelReference>(m => m.Revision == "v1.0" && m.Name == "cross-encoder/ms-marco-MiniLM-L-6-v2@v1.0");
        ModelReference.Parse(Fixtures.Path("bert-tiny-f32")).IsLocal.Should().BeTrue();
        var bad = () => ModelReference.Parse("not a model id");
        bad.Should().Throw<ArgumentException>().WithMessage("*neither an existing folder nor a Hugging Face model id*");
        var traversal = () => ModelReference.Parse("org/name@../../etc");
        traversal.Should().Throw<ArgumentException>();
    }
}
