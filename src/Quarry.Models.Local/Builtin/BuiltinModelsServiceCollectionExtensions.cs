using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Quarry.Embedding;
using Quarry.Models.Local.Hub;
using Quarry.Models.Local.Loading;
using Quarry.Models.Local.Models;

namespace Quarry.Models.Local.Builtin;

public static class BuiltinModelsServiceCollectionExtensions
{
    /// <summary>
    /// Registers an <see cref="IEmbedder"/> over a built-in model (<c>minilm</c>, <c>arctic-xs</c>): no download, no
    /// internet. On first use the model is converted from its package into the model cache (once per machine, a few
    /// seconds), then loaded and run in-process like a <c>local:</c> model. Add <c>AddQuarryEmbeddingCache()</c>
    /// afterwards to cache its vectors.
    /// </summary>
    public static IServiceCollection AddQuarryBuiltinEmbeddings(this IServiceCollection services, Action<BuiltinEmbeddingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddQuarryModelHub();
        services.AddOptions<BuiltinEmbeddingOptions>().Configure(configure).ValidateDataAnnotations()
            .Validate(o => BuiltinModel.Find(o.Model) is not null, $"{BuiltinEmbeddingOptions.SectionName}:Model must name a built-in model: {BuiltinModel.Names}.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<BuiltinEmbeddingOptions>>(sp => new PackageValidator(sp.GetRequiredService<ModelCache>()));
        services.TryAddSingleton<IEmbedder>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BuiltinEmbeddingOptions>>().Value;
            var model = BuiltinModel.Find(options.Model)!;
            var store = Store(sp.GetRequiredService<ModelCache>(), options);
            var logger = (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<LocalEmbedder>();
            var settings = new LocalModelSettings(options.Threads, options.MaxBatchTokens, options.MaxSequenceLength, Precision: options.Precision);
            return new LocalEmbedder(model.Id, model.Dimension, () => LocalEmbedder.Load(Convert(store, model, logger), settings, model.Id, logger),
                options.QueryPrefix ?? model.QueryPrefix, options.DocumentPrefix);
        });
        return services;
    }

    private static BuiltinModelStore Store(ModelCache cache, BuiltinEmbeddingOptions options) =>
        new(cache, string.IsNullOrWhiteSpace(options.PackageDirectory) ? BuiltinModelStore.DefaultPackageDirectory : options.PackageDirectory);

    private static ModelFolder Convert(BuiltinModelStore store, BuiltinModel model, ILogger logger)
    {
        if (store.IsConverted(model)) return store.Ensure(model);
        var started = Stopwatch.GetTimestamp();
        var folder = store.Ensure(model);
        LocalModelLog.Converted(logger, model.Id, folder.Path, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return folder;
    }

    /// <summary>Start-up check that the package's assembly is where the build put it.</summary>
    private sealed class PackageValidator(ModelCache cache) : IValidateOptions<BuiltinEmbeddingOptions>
    {
        public ValidateOptionsResult Validate(string? name, BuiltinEmbeddingOptions options)
        {
            if (BuiltinModel.Find(options.Model) is not { } model) return ValidateOptionsResult.Skip;
            try
            {
                Store(cache, options).FolderOf(model);
                return ValidateOptionsResult.Success;
            }
            catch (Exception e) when (e is ModelFolderException or BadImageFormatException or IOException)
            {
                return ValidateOptionsResult.Fail(e.Message);
            }
        }
    }
}
