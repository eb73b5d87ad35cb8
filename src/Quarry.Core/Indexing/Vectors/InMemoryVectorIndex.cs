using System.Numerics;
using System.Numerics.Tensors;
using Quarry.Diagnostics;
using Quarry.Documents;
using Quarry.Retrieval;
using Quarry.Storage;

namespace Quarry.Indexing.Vectors;

/// <summary>
/// Exact nearest-neighbour search over the chunk vectors of one embedding model, held in process. Vectors are
/// L2-normalized on insert so cosine similarity is a dot product, stored row-major in fixed-size segments (growth
/// never copies existing vectors), optionally with an int8 copy that is scanned first. The filter selects candidate
/// rows before anything is scored. Many readers run concurrently; a writer excludes them while it mutates.
/// </summary>
internal sealed partial class InMemoryVectorIndex : IVectorIndex, IDisposable
{
    private const int SegmentBytes = 4 << 20;
    private const int CancellationCheckInterval = 4096;

    private readonly VectorIndexOptions _options;
    private readonly int _dimension;
    private readonly int _segmentShift;
    private readonly int _segmentMask;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);

    private readonly List<float[]> _vectors = [];
    private readonly List<sbyte[]> _quantized = [];
    private float[] _scales = [];
    private ChunkId[] _chunkIds = [];
    /// <summary>Document slot of each row, or -1 for a removed row (tombstone) awaiting compaction.</summary>
    private int[] _rowSlot = [];
    private int _rowCount;
    private int _tombstones;
    /// <summary>Incremented by every write; lets a parallel search detect that its candidate rows went stale.</summary>
    private long _version;

    private readonly Dictionary<ChunkId, int> _rowOfChunk = [];
    private readonly List<DocumentSlot?> _slots = [];
    private readonly Stack<int> _freeSlots = new();
    private readonly Dictionary<DocumentId, int> _slotOfDocument = [];
    private readonly Dictionary<TenantId, HashSet<int>> _slotsOfTenant = [];

    public InMemoryVectorIndex(VectorIndexOptions options)
    {
        _rowVector = VectorAt;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Dimension);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Oversample);
        _options = options;
        _dimension = options.Dimension;
        _segmentShift = BitOperations.Log2((uint)Math.Max(64, SegmentBytes / (sizeof(float) * _dimension)));
        _segmentMask = (1 << _segmentShift) - 1;
    }

    public string Model => _options.Model;

    /// <summary>The options this index reads at every search (benchmarks vary the search breadth between runs).</summary>
    internal VectorIndexOptions Options => _options;
    public int Dimension => _dimension;

    /// <summary>Live vectors.</summary>
    public int Count => Read(() => _rowCount - _tombstones);

    /// <summary>The documents that have vectors in the index.</summary>
    public IReadOnlyList<DocumentId> Documents() => Read(() => _slotOfDocument.Keys.ToList());

    /// <summary>Rows in storage including removed ones not yet compacted away.</summary>
    internal int RowCount => Read(() => _rowCount);
    internal int TombstoneCount => Read(() => _tombstones);

    public Task<IReadOnlyList<VectorHit>> SearchAsync(VectorSearchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Filter);
        if (!string.Equals(request.Model, _options.Model, StringComparison.Ordinal))
            throw new ArgumentException($"The query vector comes from model '{request.Model}' but this index holds vectors of model '{_options.Model}'.", nameof(request));
        CheckDimension(request.Query.Length, "The query vector");
        ArgumentOutOfRangeException.ThrowIfNegative(request.Limit);
        cancellationToken.ThrowIfCancellationRequested();

        return SearchNormalizedAsync(request, cancellationToken);
    }

    private async Task<IReadOnlyList<VectorHit>> SearchNormalizedAsync(VectorSearchRequest request, CancellationToken cancellationToken)
    {
        using var stage = QuarryTelemetry.StartStage("vector.search");
        var query = new float[_dimension];
        if (request.Limit == 0 || !VectorMath.TryNormalize(request.Query.Span, query)) return [];

        var hits = await SearchAsync(query, request.Filter, request.Limit, cancellationToken).ConfigureAwait(false);
        stage.Activity?.SetTag("quarry.vector.hits", hits.Count);
        return hits;
    }

    /// <summary>Adds vectors, replacing the vector of a chunk id already present. The batch is validated before
    /// anything changes.</summary>
    public void Upsert(IEnumerable<VectorEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var prepared = Prepare(entries.Select(e => (e.ChunkId, e.Document, e.Vector)));
        _lock.EnterWriteLock();
        try
        {
            _version++;
            foreach (var (chunk, document, vector) in prepared) UpsertRow(chunk, document, vector);
            SyncGraphsLocked();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Makes <paramref name="chunks"/> the document's only vectors (a new version replaces the old one's chunks).</summary>
    public void ReplaceDocument(VectorDocument document, IEnumerable<(ChunkId ChunkId, ReadOnlyMemory<float> Vector)> chunks)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(chunks);
        var prepared = Prepare(chunks.Select(c => (c.ChunkId, document, c.Vector)));
        _lock.EnterWriteLock();
        try
        {
            _version++;
            RemoveDocumentRows(document.Id);
            foreach (var (chunk, doc, vector) in prepared) UpsertRow(chunk, doc, vector);
            CompactIfNeeded();
            SyncGraphsLocked();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public bool RemoveDocument(DocumentId document)
    {
        _lock.EnterWriteLock();
        try
        {
            _version++;
            var removed = RemoveDocumentRows(document);
            if (removed) CompactIfNeeded();
            SyncGraphsLocked();
            return removed;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Builds the index from stored embeddings (start-up). <paramref name="resolveDocument"/> supplies the
    /// filter metadata of each document once; embeddings of documents it cannot find (deleted meanwhile) are skipped.</summary>
    /// <returns>The number of vectors loaded.</returns>
    public async Task<int> LoadAsync(
        IAsyncEnumerable<StoredEmbedding> embeddings,
        Func<TenantId, DocumentId, CancellationToken, ValueTask<VectorDocument?>> resolveDocument,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        ArgumentNullException.ThrowIfNull(resolveDocument);
        const int BatchSize = 1024;
        var documents = new Dictionary<DocumentId, VectorDocument?>();
        var batch = new List<VectorEntry>(BatchSize);
        var loaded = 0;
        await foreach (var embedding in embeddings.WithCancellation(cancellationToken))
        {
            if (!documents.TryGetValue(embedding.DocumentId, out var document))
            {
                document = await resolveDocument(embedding.TenantId, embedding.DocumentId, cancellationToken).ConfigureAwait(false);
                documents[embedding.DocumentId] = document;
            }
            if (document is null || document.TenantId != embedding.TenantId) continue;
            batch.Add(new VectorEntry(embedding.ChunkId, document, embedding.Vector));
            if (batch.Count == BatchSize)
            {
                Upsert(batch);
                loaded += batch.Count;
                batch.Clear();
            }
        }
        Upsert(batch);
        return loaded + batch.Count;
    }

    /// <summary>Builds the index from every embedding of this index's model in <paramref name="store"/>.</summary>
    public Task<int> LoadAsync(IDocumentStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return LoadAsync(store.ReadEmbeddingsAsync(_options.Model, cancellationToken), async (tenant, document, ct) =>
            await store.GetDocumentAsync(tenant, document, ct).ConfigureAwait(false) is { } record ? VectorDocument.From(record) : null,
            cancellationToken);
    }

    /// <summary>Removes tombstoned rows now (normally triggered automatically past the configured share).</summary>
    internal void Compact()
    {
        _lock.EnterWriteLock();
        try
        {
            _version++;
            CompactLocked();
            SyncGraphsLocked();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public void Dispose() => _lock.Dispose();

    private T Read<T>(Func<T> read)
    {
        _lock.EnterReadLock();
        try
        {
            return read();
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private sealed class DocumentSlot(VectorDocument document)
    {
        public VectorDocument Document { get; set; } = document;
        public List<int> Rows { get; } = [];
    }
}
