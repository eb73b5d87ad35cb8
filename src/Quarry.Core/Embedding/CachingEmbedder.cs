using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Quarry.Diagnostics;

namespace Quarry.Embedding;

/// <summary>
/// Decorates an <see cref="IEmbedder"/> with an <see cref="IEmbeddingCache"/>: only texts never embedded by this model
/// reach the inner embedder, each distinct text once. Re-ingesting an unchanged corpus costs no model calls.
/// </summary>
internal sealed class CachingEmbedder(IEmbedder inner, IEmbeddingCache cache, ILogger<CachingEmbedder> logger) : IEmbedder
{
    private static readonly Counter<long> Hits =
        QuarryTelemetry.Meter.CreateCounter<long>("quarry.embed.cache.hits", description: "Texts whose vector came from the embedding cache.");

    private static readonly Counter<long> Misses =
        QuarryTelemetry.Meter.CreateCounter<long>("quarry.embed.cache.misses", description: "Texts whose vector was not cached and had to be embedded.");

    internal IEmbedder Inner => inner;

    public EmbeddingModel Model => inner.Model;

    public async Task<IReadOnlyList<ReadOnlyMemory<float>>> EmbedAsync(IReadOnlyList<string> texts, EmbeddingKind kind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0)
            return [];

        using var stage = QuarryTelemetry.StartStage("embed.cache");
        var hashes = new string[texts.Count];
        // Distinct hashes in first-seen order, each with the first text that produced it.
        var distinct = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < texts.Count; i++)
        {
            hashes[i] = EmbeddingTextHash.Compute(texts[i], kind);
            distinct.TryAdd(hashes[i], texts[i]);
        }

        var model = inner.Model;
        var found = await LookupAsync(model, [.. distinct.Keys], cancellationToken);

        var missing = distinct.Where(entry => !found.ContainsKey(entry.Key)).ToList();
        if (missing.Count > 0)
        {
            var vectors = await inner.EmbedAsync(missing.ConvertAll(entry => entry.Value), kind, cancellationToken);
            if (vectors.Count != missing.Count)
                throw new EmbeddingException($"Embedder {inner.Model.Id} returned {vectors.Count} vectors for {missing.Count} texts.", isTransient: false);

            var entries = new List<KeyValuePair<string, ReadOnlyMemory<float>>>(missing.Count);
            for (var i = 0; i < missing.Count; i++)
            {
                found[missing[i].Key] = vectors[i];
                entries.Add(new(missing[i].Key, vectors[i]));
            }
            // The model is read again: an embedder that learns its dimension from the first response knows it now.
            await StoreAsync(inner.Model, entries, cancellationToken);
        }

        var result = new ReadOnlyMemory<float>[texts.Count];
        var hits = 0;
        var missed = missing.Select(entry => entry.Key).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < texts.Count; i++)
        {
            result[i] = found[hashes[i]];
            if (!missed.Contains(hashes[i]))
                hits++;
        }
        var tag = new KeyValuePair<string, object?>("model", model.Id);
        var layer = new KeyValuePair<string, object?>(AiMetrics.Tags.Layer, "embedding");
        if (hits > 0)
        {
            Hits.Add(hits, tag);
            AiMetrics.CacheHits.Add(hits, layer);
        }
        if (texts.Count - hits > 0)
        {
            Misses.Add(texts.Count - hits, tag);
            AiMetrics.CacheMisses.Add(texts.Count - hits, layer);
        }
        return result;
    }

    private async Task<Dictionary<string, ReadOnlyMemory<float>>> LookupAsync(EmbeddingModel model, List<string> hashes, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, ReadOnlyMemory<float>>(StringComparer.Ordinal);
        // An embedder that has not learnt its dimension yet has nothing cached under its final key.
        if (model.Dimension <= 0)
            return found;
        try
        {
            var cached = await cache.GetManyAsync(model, hashes, cancellationToken);
            foreach (var (hash, vector) in cached)
            {
                // A vector of the wrong length would be handed on as if valid; embedding again is the safe choice.
                if (vector.Length == model.Dimension)
                    found[hash] = vector;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The cache is an optimisation: without it Quarry is slower, not wrong.
            EmbeddingLog.CacheReadFailed(logger, model.Id, hashes.Count, e);
            found.Clear();
        }
        return found;
    }

    private async Task StoreAsync(EmbeddingModel model, List<KeyValuePair<string, ReadOnlyMemory<float>>> entries, CancellationToken cancellationToken)
    {
        if (model.Dimension <= 0)
            return;
        try
        {
            await cache.PutManyAsync(model, entries, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            EmbeddingLog.CacheWriteFailed(logger, model.Id, entries.Count, e);
        }
    }
}
