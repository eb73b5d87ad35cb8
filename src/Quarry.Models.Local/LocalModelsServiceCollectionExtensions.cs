using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Quarry.Embedding;
using Quarry.Models.Local.Hub;
using Quarry.Models.Local.Loading;
using Quarry.Models.Local.Models;
using Quarry.Reranking;

namespace Quarry.Models.Local;

public static class LocalModelsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the model cache and the Hugging Face downloader with <see cref="ModelHubOptions"/> validated at
    /// start-up. The embedder and reranker registrations call it; call it yourself to change the options.
    /// </summary>
    public static IServiceCollection AddQuarryModelHub(this IServiceCollection services, Action<ModelHubOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ModelHubOptions>()
            .Configure(o => configure?.Invoke(o))
            .ValidateDataAnnotations()
            .Validate(o => o.Endpoint is { IsAbsoluteUri: true } e && (e.Scheme == Uri.UriSchemeHttps || e.Scheme == Uri.UriSchemeHttp),
                "Models:Hub:Endpoint must be an absolute http(s) URL, e.g. https://huggingface.co.")
            .ValidateOnStart();
        services.TryAddSingleton(sp => ModelCache.FromOptions(sp.GetRequiredService<IOptions<ModelHubOptions>>().Value));
        services.TryAddSingleton(sp => new HuggingFaceDownloader(
            sp.GetRequiredService<IOptions<ModelHubOptions>>().Value,
            sp.GetRequiredService<ModelCache>(),
            sp.GetService<ILogger<HuggingFaceDownloader>>()));
        return services;
    }

    /// <summary>
    /// Registers an <see cref="IEmbedder"/> that runs a sentence-transformers model in-process. At start-up the model
    /// folder must exist (downloaded with <c>quarry models pull</c> or <see cref="HuggingFaceDownloader"/>, or a local
    /// folder) and be a supported model; weights load on first use. Add <c>AddQuarryEmbeddingCache()</c> afterwards to
    /// cache its vectors.
    /// </summary>
    public static IServiceCollection AddQuarryLocalEmbeddings(this IServiceCollection services, Action<LocalEmbeddingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddQuarryModelHub();
        services.AddOptions<LocalEmbeddingOptions>().Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<LocalEmbeddingOptions>>(sp => new LocalModelValidator<LocalEmbeddingOptions>(
            sp.GetRequiredService<ModelCache>(), folder => BertConfig.Read(folder.File(ModelFolder.ConfigFile))));
        services.TryAddSingleton<IEmbedder>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<LocalEmbeddingOptions>>().Value;
            var reference = LocalModelLocator.Reference(options);
            var folder = LocalModelLocator.Locate(reference, sp.GetRequiredService<ModelCache>());
            var config = BertConfig.Read(folder.File(ModelFolder.ConfigFile));
            var id = LocalModelLocator.ModelId(reference);
            var prompts = LocalEmbedder.DefaultPrompts(folder, reference.Name);
            var logger = (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<LocalEmbedder>();
            return new LocalEmbedder(id, config.HiddenSize, () => LocalEmbedder.Load(folder, options, id, logger),
                options.QueryPrefix ?? prompts.Query, options.DocumentPrefix ?? prompts.Document);
        });
        return services;
    }

    /// <summary>
    /// Registers an <see cref="IReranker"/> that runs a BERT cross-encoder in-process (e.g.
    /// cross-encoder/ms-marco-MiniLM-L-6-v2). Add the reranking stage with <c>AddQuarryReranking()</c>.
    /// </summary>
    public static IServiceCollection AddQuarryLocalReranker(this IServiceCollection services, Action<LocalRerankerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddQuarryModelHub();
        services.AddOptions<LocalRerankerOptions>().Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<LocalRerankerOptions>>(sp => new LocalModelValidator<LocalRerankerOptions>(
            sp.GetRequiredService<ModelCache>(), folder =>
            {
                var config = BertConfig.Read(folder.File(ModelFolder.ConfigFile));
                if (!config.IsSequenceClassifier)
                    throw new ModelNotSupportedException($"{folder.Path} is not a cross-encoder (architectures: {string.Join(", ", config.Architectures)}); a reranker needs BertForSequenceClassification.");
            }));
        services.TryAddSingleton<IReranker>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<LocalRerankerOptions>>().Value;
            var reference = LocalModelLocator.Reference(options);
            var folder = LocalModelLocator.Locate(reference, sp.GetRequiredService<ModelCache>());
            return new LocalCrossEncoderReranker(LocalModelLocator.ModelId(reference),
                () => BertCrossEncoder.Load(folder, new LocalModelSettings(options.Threads, options.MaxBatchTokens, options.MaxSequenceLength, Precision: options.Precision)));
        });
        return services;
    }

    /// <summary>Start-up check that the configured model is there and is a kind Quarry runs, with the reason if not.</summary>
    private sealed class LocalModelValidator<TOptions>(ModelCache cache, Action<ModelFolder> check) : IValidateOptions<TOptions>
        where TOptions : LocalModelOptions
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
        {
            if (string.IsNullOrWhiteSpace(options.Model) && string.IsNullOrWhiteSpace(options.ModelPath))
                return ValidateOptionsResult.Fail("Set the local model: a Hugging Face id such as BAAI/bge-small-en-v1.5, or a model folder.");
            try
            {
                var folder = LocalModelLocator.Locate(LocalModelLocator.Reference(options), cache);
                check(folder);
                return ValidateOptionsResult.Success;
            }
            catch (Exception e) when (e is ModelFolderException or ModelNotSupportedException or InvalidDataException or ArgumentException or IOException or System.Text.Json.JsonException)
            {
                return ValidateOptionsResult.Fail(e.Message);
            }
        }
    }
}
