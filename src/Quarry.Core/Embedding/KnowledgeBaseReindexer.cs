using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quarry.Diagnostics;
using Quarry.Documents;
using Quarry.Storage;

namespace Quarry.Embedding;

/// <summary>
/// Re-embeds a knowledge base with the configured embedder's model beside its current vectors, then switches the
/// knowledge base to the new model in one transaction. Until the switch, searches keep using the old model's vectors
/// (and a query embedder of the new model finds this knowledge base keyword-only, never comparing across models).
/// Each step stores its vectors before the next starts, so an interrupted run resumes where it stopped; texts already
/// embedded by the model come from the embedding cache. The same call fills the gaps of a knowledge base that is on
/// the configured model but has chunks without its vectors.
/// </summary>
public sealed class KnowledgeBaseReindexer
{
    private readonly IEmbedder? _embedder;
    private readonly IDocumentStore _store;
    private readonly ReindexOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<KnowledgeBaseReindexer> _logger;

    internal KnowledgeBaseReindexer(IEmbedder? embedder, IDocumentStore store, IOptions<ReindexOptions> options, TimeProvider time, ILogger<KnowledgeBaseReindexer> logger)
    {
        _embedder = embedder;
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <param name="dropPrevious">Delete the vectors of other models once the switch is made.</param>
    /// <exception cref="KeyNotFoundException">No such knowledge base.</exception>
    /// <exception cref="InvalidOperationException">No embedder is configured, or its dimension is not known.</exception>
    /// <exception cref="EmbeddingException">The embedder failed; what was stored so far is kept for the next run.</exception>
    public async Task<ReindexReport> ReindexAsync(TenantId tenant, string knowledgeBase, bool dropPrevious, IProgress<ReindexProgress>? progress, CancellationToken cancellationToken)
    {
        var embedder = _embedder ?? throw new InvalidOperationException("No embedder is configured, so there is no model to re-embed with.");
        var model = embedder.Model;
        if (model.Dimension <= 0)
            throw new InvalidOperationException($"The dimension of embedding model {model.Id} is not known; configure it so vectors can be checked before they are stored.");
        var kb = await _store.FindKnowledgeBaseAsync(tenant, knowledgeBase, cancellationToken)
            ?? throw new KeyNotFoundException($"No knowledge base named '{knowledgeBase}'.");

        using var stage = QuarryTelemetry.StartStage("reindex");
        stage.Activity?.SetTag("quarry.kb", kb.Name);
        stage.Activity?.SetTag("quarry.embedding.model", model.Id);
        var started = _time.GetTimestamp();
        try
        {
            var coverage = await _store.GetEmbeddingCoverageAsync(tenant, kb.Id, model, cancellationToken);
            var done = coverage.Embedded;
            progress?.Report(new ReindexProgress(coverage.Chunks, done, 0));
            var embedded = 0;
            var missing = coverage.Missing;
            for (var attempt = 0; attempt < _options.SwitchAttempts; attempt++)
            {
                long after = 0;
                while (true)
                {
                    var page = await _store.GetChunksWithoutEmbeddingAsync(tenant, kb.Id, model, after, _options.BatchSize, cancellationToken);
                    if (page.Chunks.Count == 0) break;
                    await EmbedAndStoreAsync(_store, embedder, model, tenant, page.Chunks, cancellationToken);
                    embedded += page.Chunks.Count;
                    done = Math.Min(coverage.Chunks, done + page.Chunks.Count);
                    progress?.Report(new ReindexProgress(Math.Max(coverage.Chunks, done), done, embedded));
                    after = page.Next;
                }
                // Checked and switched in one transaction: the knowledge base moves to the new model only whole.
                missing = await _store.ActivateEmbeddingModelAsync(tenant, kb.Id, model, cancellationToken);
                if (missing == 0) break;
            }
            if (missing > 0)
            {
                throw new StoreConflictException(
                    $"Chunks kept arriving in knowledge base '{kb.Name}' while it was re-embedded ({missing} still without vectors of {model.Id}); run the re-embedding again.");
            }

            var dropped = dropPrevious ? await _store.DeleteInactiveEmbeddingsAsync(tenant, kb.Id, cancellationToken) : 0;
            var report = new ReindexReport(kb.Name, kb.EmbeddingModel, model, coverage.Chunks, coverage.Embedded, embedded, dropped,
                _time.GetElapsedTime(started).TotalSeconds);
            EmbeddingLog.Reindexed(_logger, kb.Name, model.Id, report.Chunks, embedded, dropped, report.Seconds);
            return report;
        }
        catch (Exception e)
        {
            stage.Fail(e);
            throw;
        }
    }

    /// <summary>Shared with the background vector filler (Quarry.Vectorizing): storing a vector twice overwrites it with
    /// the same one, so two workers filling the same gap do no harm.</summary>
    internal static async Task EmbedAndStoreAsync(IDocumentStore store, IEmbedder embedder, EmbeddingModel model, TenantId tenant, IReadOnlyList<ChunkText> chunks, CancellationToken cancellationToken)
    {
        var vectors = await embedder.EmbedAsync(chunks.Select(c => EmbeddingText.ForChunk(c.Title, c.Text)).ToList(), EmbeddingKind.Document, cancellationToken);
        if (vectors.Count != chunks.Count)
            throw new EmbeddingException($"The embedder returned {vectors.Count} vectors for {chunks.Count} chunks.", isTransient: false);
        foreach (var vector in vectors)
        {
            if (vector.Length != model.Dimension)
                throw new EmbeddingException($"The embedder returned a vector of {vector.Length} dimensions; model {model.Id} has {model.Dimension}.", isTransient: false);
        }
        await store.StoreEmbeddingsAsync(tenant,
            new ChunkEmbeddings(model.Id, model.Dimension, chunks.Select((c, i) => KeyValuePair.Create(c.Id, vectors[i])).ToList()),
            cancellationToken);
    }
}

/// <param name="Chunks">Chunks in the knowledge base.</param>
/// <param name="Done">Chunks that have a vector of the new model.</param>
/// <param name="Embedded">Chunks embedded by this run so far.</param>
public sealed record ReindexProgress(int Chunks, int Done, int Embedded);

/// <param name="Previous">The model the knowledge base was searched with before (null: none).</param>
/// <param name="AlreadyEmbedded">Chunks that had a vector of the new model when the run started (an earlier, interrupted run).</param>
/// <param name="Embedded">Chunks this run embedded (texts the model embedded before come from the cache).</param>
/// <param name="DroppedVectors">Vectors of other models deleted after the switch.</param>
public sealed record ReindexReport(
    string KnowledgeBase, EmbeddingModel? Previous, EmbeddingModel Model, int Chunks, int AlreadyEmbedded, int Embedded, int DroppedVectors, double Seconds);
