using Microsoft.Extensions.Logging;
using Quarry.Documents;
using Quarry.Storage;

namespace Quarry.Indexing.Vectors;

/// <summary>
/// The in-process index kept in step with a store that other processes write too. Before a search, at most once per
/// <see cref="VectorIndexOptions.RefreshInterval"/>, it reads the store's change feed from where it last stopped and
/// reloads the vectors of the documents that changed; the search then runs on the updated index. One search refreshes
/// at a time: the others search what the index holds rather than queue behind it.
/// </summary>
internal sealed class RefreshingVectorIndex : IVectorIndex, IDisposable
{
    private const int PageSize = 512;

    private readonly InMemoryVectorIndex _index;
    private readonly IDocumentStore _store;
    private readonly IIndexChangeFeed? _feed;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    /// <summary>The last change applied; -1 until the index is loaded.</summary>
    private long _position = -1;
    private long _lastCheck;

    public RefreshingVectorIndex(InMemoryVectorIndex index, IDocumentStore store, IIndexChangeFeed? feed, TimeSpan interval, TimeProvider time, ILogger logger)
    {
        _index = index;
        _store = store;
        _feed = feed;
        _interval = interval;
        _time = time;
        _logger = logger;
    }

    /// <summary>The change-feed position the index reflects; -1 before it is loaded.</summary>
    internal long Position => Interlocked.Read(ref _position);

    public async Task<IReadOnlyList<VectorHit>> SearchAsync(VectorSearchRequest request, CancellationToken cancellationToken)
    {
        await RefreshAsync(force: false, cancellationToken).ConfigureAwait(false);
        return await _index.SearchAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Fills the index from the store (start-up) and starts following the change feed from its current head.</summary>
    /// <returns>The number of vectors loaded.</returns>
    public async Task<int> LoadAsync(CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await LoadLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>Applies every change the store has recorded since the last refresh, now.</summary>
    public Task RefreshNowAsync(CancellationToken cancellationToken) => RefreshAsync(force: true, cancellationToken);

    private async Task RefreshAsync(bool force, CancellationToken cancellationToken)
    {
        var loaded = Interlocked.Read(ref _position) >= 0;
        if (loaded && (_feed is null || (!force && !Due()))) return;
        // An unloaded index is loaded before anyone searches it; a loaded one is searched as it is while another
        // caller brings it up to date.
        if (!loaded || force) await _refreshing.WaitAsync(cancellationToken).ConfigureAwait(false);
        else if (!await _refreshing.WaitAsync(0, cancellationToken).ConfigureAwait(false)) return;
        try
        {
            if (Interlocked.Read(ref _position) < 0)
            {
                await LoadLockedAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            if (_feed is null || (!force && !Due())) return;
            Interlocked.Exchange(ref _lastCheck, _time.GetTimestamp());
            await CatchUpAsync(_feed, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException && loaded && !force)
        {
            // A stale index still answers; the next refresh starts again from the last change applied.
            VectorIndexLog.RefreshFailed(_logger, _index.Model, e);
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private bool Due() =>
        _interval != Timeout.InfiniteTimeSpan && _time.GetElapsedTime(Interlocked.Read(ref _lastCheck)) >= _interval;

    private async Task<int> LoadLockedAsync(CancellationToken cancellationToken)
    {
        // The head is read first: changes committed while loading are applied again later, which is harmless.
        var head = _feed is null ? 0 : await _feed.GetHeadAsync(cancellationToken).ConfigureAwait(false);
        var count = await _index.LoadAsync(_store, cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref _lastCheck, _time.GetTimestamp());
        Interlocked.Exchange(ref _position, head);
        VectorIndexLog.Loaded(_logger, _index.Model, count, head);
        return count;
    }

    private async Task CatchUpAsync(IIndexChangeFeed feed, CancellationToken cancellationToken)
    {
        while (true)
        {
            var position = Interlocked.Read(ref _position);
            var page = await feed.ReadChangesAsync(position, PageSize, cancellationToken).ConfigureAwait(false);
            if (page.Truncated)
            {
                VectorIndexLog.Rebuilding(_logger, _index.Model, position, page.Head);
                await RebuildAsync(cancellationToken).ConfigureAwait(false);
                Interlocked.Exchange(ref _position, page.Head);
                return;
            }
            if (page.Changes.Count == 0) return;
            var documents = page.Changes.Select(c => (c.TenantId, c.DocumentId)).Distinct().ToList();
            foreach (var (tenant, document) in documents)
                await ApplyAsync(tenant, document, cancellationToken).ConfigureAwait(false);
            Interlocked.Exchange(ref _position, page.Changes[^1].Sequence);
            VectorIndexLog.Applied(_logger, _index.Model, documents.Count, page.Changes[^1].Sequence);
            if (page.Changes.Count < PageSize) return;
        }
    }

    /// <summary>Makes the index hold exactly the document's stored vectors of its model (none when it is gone).</summary>
    private async Task ApplyAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken)
    {
        var record = await _store.GetDocumentAsync(tenant, document, cancellationToken).ConfigureAwait(false);
        var vectors = record is null ? [] : await _store.GetDocumentEmbeddingsAsync(tenant, document, _index.Model, cancellationToken).ConfigureAwait(false);
        var usable = vectors.Where(v => v.Vector.Length == _index.Dimension).Select(v => (v.ChunkId, v.Vector)).ToList();
        if (usable.Count == 0) _index.RemoveDocument(document);
        else _index.ReplaceDocument(VectorDocument.From(record!), usable);
    }

    /// <summary>Reconciles the whole index with the store, document by document, while searches go on.</summary>
    private async Task RebuildAsync(CancellationToken cancellationToken)
    {
        var seen = new HashSet<DocumentId>();
        DocumentId? current = null;
        VectorDocument? metadata = null;
        var chunks = new List<(ChunkId, ReadOnlyMemory<float>)>();

        void Flush()
        {
            if (metadata is null || chunks.Count == 0) return;
            // Vectors come in storage order, where a document's chunks are adjacent; should they not be, the later
            // ones are added rather than replacing the earlier ones.
            if (seen.Add(metadata.Id)) _index.ReplaceDocument(metadata, chunks);
            else _index.Upsert(chunks.Select(c => new VectorEntry(c.Item1, metadata, c.Item2)));
        }

        await foreach (var embedding in _store.ReadEmbeddingsAsync(_index.Model, cancellationToken).ConfigureAwait(false))
        {
            if (embedding.DocumentId != current)
            {
                Flush();
                chunks = [];
                current = embedding.DocumentId;
                var record = await _store.GetDocumentAsync(embedding.TenantId, embedding.DocumentId, cancellationToken).ConfigureAwait(false);
                metadata = record is null ? null : VectorDocument.From(record);
            }
            if (embedding.Vector.Length == _index.Dimension) chunks.Add((embedding.ChunkId, embedding.Vector));
        }
        Flush();
        foreach (var document in _index.Documents())
        {
            if (!seen.Contains(document)) _index.RemoveDocument(document);
        }
    }

    public void Dispose() => _refreshing.Dispose();
}
