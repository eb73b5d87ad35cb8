using System.Threading.Channels;
using Quarry.Storage;

namespace Quarry.Ingestion;

/// <summary>
/// The writer's batches: every prepared document waiting when the writer comes round, and those that arrive while it
/// lingers a moment, is stored in one store call (one transaction in SQLite), since a commit and the writer's turn cost
/// more than a small document's rows. When
/// the batch fails as a whole, each document is stored again on its own, so a bad one still fails alone.
/// </summary>
public sealed partial class DocumentIngestor
{
    /// <summary>Enough to spread a commit over many small documents; few enough that a kill loses little work.</summary>
    private const int MaxBatchDocuments = 64;

    /// <summary>Source bytes past which a batch is written without waiting for more: large documents gain nothing
    /// from sharing a commit, and the batch stays a bounded amount of memory.</summary>
    private const long LingerBytes = 4L * 1024 * 1024;

    /// <summary>The first document, everything waiting after it, and what arrives within
    /// <see cref="IngestionOptions.BatchLinger"/> while the batch is small; never waits past the end of the job (the
    /// channel completes). Each commit writes its own FTS5 segment and rewrites the same few pages (the knowledge base
    /// row, the change feed), so while parsing runs ahead a short wait makes batches of 64 rather than the queue's 16.</summary>
    private async Task<List<Prepared>> TakeBatchAsync(Prepared first, ChannelReader<Prepared> reader, CancellationToken cancellationToken)
    {
        var batch = new List<Prepared> { first };
        var bytes = first.Source.Length;
        TakeWaiting();
        if (batch.Count >= MaxBatchDocuments || bytes >= LingerBytes || reader.Completion.IsCompleted || _options.BatchLinger <= TimeSpan.Zero)
            return batch;

        using var linger = new CancellationTokenSource(_options.BatchLinger, _time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, linger.Token);
        try
        {
            while (batch.Count < MaxBatchDocuments && bytes < LingerBytes && await reader.WaitToReadAsync(wait.Token))
                TakeWaiting();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Waited long enough: what is in the batch is written now.
        }
        return batch;

        void TakeWaiting()
        {
            while (batch.Count < MaxBatchDocuments && bytes < LingerBytes && reader.TryRead(out var next))
            {
                batch.Add(next);
                bytes += next.Source.Length;
            }
        }
    }

    private async Task StoreBatchAsync(List<Prepared> batch, Tally tally, IProgress<IngestProgress>? progress, CancellationToken cancellationToken)
    {
        // Documents with attachments keep the one-by-one path: their children follow them in order.
        var plain = batch.Where(i => i is { Write: not null, Failure: null, Children.Count: 0 }).ToList();
        IReadOnlyList<UpsertResult>? results = null;
        if (plain.Count > 1)
        {
            try
            {
                results = await _store.UpsertDocumentsAsync(plain.ConvertAll(i => i.Write!), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Nothing of the batch was committed: the documents go again one by one below.
                results = null;
            }
        }
        var stored = results is null ? [] : plain.Zip(results).ToDictionary(p => p.First, p => p.Second);
        foreach (var item in batch)
        {
            if (stored.TryGetValue(item, out var result))
                await StoredAsync(item, result, tally, cancellationToken);
            else
                await StoreAsync(item, tally, cancellationToken);
            progress?.Report(tally.Progress(item.Source.DisplayName, item.Failure?.Reason ?? tally.LastOutcome));
        }
    }

    /// <summary>Keeps the keyword index in few pieces after a run; searches are what it is for, so a failure here is
    /// only logged.</summary>
    private async Task CompactAsync(int chunksWritten, CancellationToken cancellationToken)
    {
        try
        {
            await _store.CompactKeywordIndexAsync(chunksWritten, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            IngestionLog.CompactionFailed(_logger, ex);
        }
    }

    /// <summary>After a document's write: the in-process vector index, the tally and its children.</summary>
    private async Task StoredAsync(Prepared item, UpsertResult result, Tally tally, CancellationToken cancellationToken)
    {
        var write = item.Write!;
        if (result.Outcome != UpsertOutcome.Unchanged && _vectors is not null && write.Embeddings is not null)
        {
            // A write that kept the stored access list must index it, not an open one.
            var allow = write.Allow ?? (await _store.GetDocumentAsync(write.TenantId, write.DocumentId, cancellationToken))?.Allow ?? [];
            UpdateVectorIndex(write, result, allow);
        }
        tally.Record(item.Source, result);
        // A first version has no earlier children to remove, and with none of its own there is nothing to do.
        if (item.Children.Count > 0 || result.Outcome != UpsertOutcome.Created)
            await StoreChildrenAsync(write, item.Children, tally, cancellationToken);
    }
}
