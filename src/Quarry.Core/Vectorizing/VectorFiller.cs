using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quarry.Diagnostics;
using Quarry.Documents;
using Quarry.Embedding;
using Quarry.Storage;

namespace Quarry.Vectorizing;

/// <summary>
/// Embeds the chunks of a knowledge base that were stored without vectors, batch by batch, with the configured
/// embedder. A knowledge base with no active model takes the embedder's as soon as its first batch is stored, so vector
/// search covers the chunks that have vectors while the rest are filled (the retriever fuses keyword results for all
/// chunks with vector results for those). A knowledge base on another model is left to <c>quarry reindex</c>, which
/// switches it only once every chunk has the new vectors. Storing a vector twice is harmless, so two processes filling
/// the same knowledge base at once only waste work.
/// </summary>
public sealed class VectorFiller
{
    private readonly IEmbedder? _embedder;
    private readonly IDocumentStore _store;
    private readonly VectorizingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<VectorFiller> _logger;
    private EmbeddingModel? _probed;

    internal VectorFiller(IEmbedder? embedder, IDocumentStore store, IOptions<VectorizingOptions> options, TimeProvider time, ILogger<VectorFiller> logger)
    {
        _embedder = embedder;
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>False when no embedder is configured: there is nothing to fill with.</summary>
    public bool CanFill => _embedder is not null;

    /// <summary>How many of the knowledge base's chunks have vectors of the model vector search uses for it (its
    /// active one, else the configured embedder's); null when neither exists.</summary>
    public async Task<VectorCoverage?> GetCoverageAsync(KnowledgeBase knowledgeBase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(knowledgeBase);
        var model = knowledgeBase.EmbeddingModel ?? (_embedder?.Model is { Dimension: > 0 } m ? m : _probed);
        if (model is null) return null;
        var coverage = await _store.GetEmbeddingCoverageAsync(knowledgeBase.TenantId, knowledgeBase.Id, model, cancellationToken);
        return new VectorCoverage(model.Id, coverage.Embedded, coverage.Chunks);
    }

    /// <summary>Fills the knowledge base's missing vectors, at most <paramref name="maxBatches"/> batches (null: all).</summary>
    /// <exception cref="EmbeddingException">The embedder failed; what was stored so far stays.</exception>
    public async Task<VectorFillReport> FillAsync(KnowledgeBase knowledgeBase, int? maxBatches, IProgress<VectorFillProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(knowledgeBase);
        var embedder = _embedder ?? throw new InvalidOperationException("No embedder is configured, so there is no model to fill vectors with.");
        var model = await ModelAsync(embedder, cancellationToken);
        var (tenant, kb) = (knowledgeBase.TenantId, knowledgeBase.Id);
        if (knowledgeBase.EmbeddingModel is { } active && active != model)
            return new VectorFillReport(knowledgeBase.Name, model, 0, null, Skipped: true);

        var started = _time.GetTimestamp();
        var coverage = await _store.GetEmbeddingCoverageAsync(tenant, kb, model, cancellationToken);
        var done = coverage.Embedded;
        progress?.Report(new VectorFillProgress(done, coverage.Chunks, 0));
        var embedded = 0;
        var adopted = knowledgeBase.EmbeddingModel is not null;
        long after = 0;
        for (var batches = 0; maxBatches is null || batches < maxBatches; batches++)
        {
            var page = await _store.GetChunksWithoutEmbeddingAsync(tenant, kb, model, after, _options.BatchSize, cancellationToken);
            if (page.Chunks.Count == 0) break;
            using (var span = QuarryTelemetry.StartStage("vectorize.batch"))
            {
                span.Activity?.SetTag("quarry.kb", knowledgeBase.Name);
                span.Activity?.SetTag("quarry.embedding.model", model.Id);
                span.Activity?.SetTag("quarry.chunks", page.Chunks.Count);
                try
                {
                    await KnowledgeBaseReindexer.EmbedAndStoreAsync(_store, embedder, model, tenant, page.Chunks, cancellationToken);
                }
                catch (Exception e)
                {
                    span.Fail(e);
                    throw;
                }
            }
            embedded += page.Chunks.Count;
            done += page.Chunks.Count;
            VectorizingTelemetry.ChunksEmbedded.Add(page.Chunks.Count);
            progress?.Report(new VectorFillProgress(done, Math.Max(coverage.Chunks, done), embedded));
            after = page.Next;
            // The first vectors make the model searchable for this knowledge base; the rest follow batch by batch.
            if (!adopted)
            {
                if (await _store.AdoptEmbeddingModelAsync(tenant, kb, model, cancellationToken) is null)
                    return new VectorFillReport(knowledgeBase.Name, model, embedded, null, Skipped: true);
                adopted = true;
            }
        }
        // Records completeness (or makes an already fully embedded knowledge base searchable).
        int? missing = coverage.Embedded + embedded > 0 ? await _store.AdoptEmbeddingModelAsync(tenant, kb, model, cancellationToken) : coverage.Missing;
        var seconds = _time.GetElapsedTime(started).TotalSeconds;
        if (embedded > 0)
            VectorizingLog.Filled(_logger, tenant.Value, knowledgeBase.Name, model.Id, embedded, missing ?? 0, seconds);
        return new VectorFillReport(knowledgeBase.Name, model, embedded, missing, Skipped: missing is null);
    }

    /// <summary>The knowledge bases waiting for vectors of the configured embedder's model.</summary>
    internal async Task<IReadOnlyList<KnowledgeBase>> ListWaitingAsync(CancellationToken cancellationToken)
    {
        if (_embedder is null) return [];
        return await _store.ListKnowledgeBasesMissingVectorsAsync(await ModelAsync(_embedder, cancellationToken), cancellationToken);
    }

    /// <summary>An embedder that learns its dimension from its first response is asked once, so vectors can be checked
    /// and the knowledge base's model recorded with its dimension.</summary>
    private async Task<EmbeddingModel> ModelAsync(IEmbedder embedder, CancellationToken cancellationToken)
    {
        if (embedder.Model.Dimension > 0) return embedder.Model;
        if (_probed is { } probed) return probed;
        var vectors = await embedder.EmbedAsync(["dimension"], EmbeddingKind.Document, cancellationToken);
        _probed = embedder.Model.Dimension > 0 ? embedder.Model : new EmbeddingModel(embedder.Model.Id, vectors[0].Length);
        return _probed;
    }
}

/// <param name="Embedded">Chunks with a vector of <paramref name="Model"/>.</param>
public sealed record VectorCoverage(string Model, int Embedded, int Chunks);

/// <param name="Done">Chunks of the knowledge base with vectors now.</param>
/// <param name="Embedded">Chunks embedded by this run so far.</param>
public sealed record VectorFillProgress(int Done, int Chunks, int Embedded);

/// <param name="Missing">Chunks still without vectors (null when skipped).</param>
/// <param name="Skipped">The knowledge base is on another model: <c>quarry reindex</c> switches it.</param>
public sealed record VectorFillReport(string KnowledgeBase, EmbeddingModel Model, int Embedded, int? Missing, bool Skipped);
