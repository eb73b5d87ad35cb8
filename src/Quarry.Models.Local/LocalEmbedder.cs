using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Quarry.Diagnostics;
using Quarry.Embedding;
using Quarry.Models.Local.Loading;
using Quarry.Models.Local.Models;

namespace Quarry.Models.Local;

/// <summary>
/// An <see cref="IEmbedder"/> that runs a model in this process. The weights are loaded on first use (start-up only
/// reads config.json for the dimension), then every call runs the forward pass on the thread pool, split across
/// <see cref="LocalModelOptions.Threads"/> cores.
/// </summary>
internal sealed class LocalEmbedder : IEmbedder
{
    private readonly Lazy<Task<EmbeddingQueue>> _model;
    private readonly string? _queryPrefix;
    private readonly string? _documentPrefix;

    public LocalEmbedder(string id, int dimension, Func<ITextEmbeddingModel> load, string? queryPrefix, string? documentPrefix)
    {
        Model = new EmbeddingModel(id, dimension);
        _model = new Lazy<Task<EmbeddingQueue>>(() => Task.Run(() => new EmbeddingQueue(load())));
        _queryPrefix = queryPrefix;
        _documentPrefix = documentPrefix;
    }

    public EmbeddingModel Model { get; }

    public async Task<IReadOnlyList<ReadOnlyMemory<float>>> EmbedAsync(IReadOnlyList<string> texts, EmbeddingKind kind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0) return [];
        var inputs = EmbeddingPrefixes.Apply(texts, kind, _queryPrefix, _documentPrefix);
        using var stage = QuarryTelemetry.StartStage("embed.local");
        stage.Activity?.SetTag("quarry.embed.texts", texts.Count);
        EmbeddingQueue model;
        try
        {
            model = await _model.Value.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is ModelFolderException or ModelNotSupportedException or InvalidDataException or IOException)
        {
            stage.Fail(e);
            throw new EmbeddingException($"The local model {Model.Id} cannot be loaded: {e.Message}", isTransient: false, e);
        }
        // Queries skip the queue: a few tokens must not wait behind a pass of ingestion's chunks.
        var vectors = kind == EmbeddingKind.Query
            ? await Task.Run(() => model.Model.Embed(inputs, cancellationToken), cancellationToken)
            : await model.EmbedAsync(inputs, cancellationToken);
        return [.. vectors.Select(v => (ReadOnlyMemory<float>)v)];
    }

    /// <summary>Loads the model behind an embedder, logging how long it took.</summary>
    internal static ITextEmbeddingModel Load(ModelFolder folder, LocalEmbeddingOptions options, string id, ILogger logger) =>
        Load(folder, new LocalModelSettings(options.Threads, options.MaxBatchTokens, options.MaxSequenceLength, options.Pooling, options.Normalize, options.Precision), id, logger);

    internal static ITextEmbeddingModel Load(ModelFolder folder, LocalModelSettings settings, string id, ILogger logger)
    {
        var started = Stopwatch.GetTimestamp();
        var model = BertSentenceEncoder.Load(folder, settings);
        LocalModelLog.Loaded(logger, id, folder.Path, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, model.Dimension, model.MaxSequenceLength, settings.Threads, settings.Precision);
        return model;
    }

    /// <summary>Prompts the model declares, else those its authors publish for retrieval.</summary>
    internal static (string? Query, string? Document) DefaultPrompts(ModelFolder folder, string name)
    {
        var declared = folder.ReadPrompts();
        return declared.Query is not null || declared.Document is not null ? declared : EmbeddingPrefixes.Published(name);
    }
}
