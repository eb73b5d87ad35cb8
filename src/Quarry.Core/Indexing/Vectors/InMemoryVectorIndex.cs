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
internal sealed class InMemoryVectorIndex : IVectorIndex, IDisposable
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
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public void Dispose() => _lock.Dispose();

    // ---- search ----

    // Scoring is CPU-bound and short, so it runs on the caller's thread. A small search holds the read lock
    // throughout. A large one is split into partitions that the caller and helper tasks claim (PartitionedWork: the
    // caller never blocks on a helper that has not started), and no thread holds the lock across an await: each
    // partition takes the read lock for its own range and checks that no write happened since the candidates were
    // chosen; if one did, the search starts again, and after a few tries runs sequentially under the lock.
    private const int ParallelAttempts = 3;

    /// <summary>Where helper partitions of a parallel scan run; tests substitute a scheduler that never runs them.</summary>
    internal TaskScheduler HelperScheduler { get; init; } = TaskScheduler.Default;

    private async Task<List<VectorHit>> SearchAsync(float[] query, SearchFilter filter, int limit, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < ParallelAttempts; attempt++)
        {
            Plan plan;
            _lock.EnterReadLock();
            try
            {
                plan = PlanLocked(query, filter, limit);
                if (plan.Candidates == 0) return [];
                if (plan.Candidates < _options.ParallelThreshold || Environment.ProcessorCount == 1)
                    return Finish(plan, ScanRange(plan, 0, plan.Items, cancellationToken).ToSortedArray());
            }
            finally
            {
                _lock.ExitReadLock();
            }

            var shortlist = await ScanParallelAsync(plan, cancellationToken).ConfigureAwait(false);
            if (shortlist is null) continue;
            _lock.EnterReadLock();
            try
            {
                if (_version == plan.Version) return Finish(plan, shortlist);
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }

        _lock.EnterReadLock();
        try
        {
            var plan = PlanLocked(query, filter, limit);
            return plan.Candidates == 0 ? [] : Finish(plan, ScanRange(plan, 0, plan.Items, cancellationToken).ToSortedArray());
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private sealed record Plan(float[] Query, sbyte[]? QuantizedQuery, int Limit, int Shortlist, int[]? Rows, bool[]? Mask, int Items, int Candidates, long Version);

    private Plan PlanLocked(float[] query, SearchFilter filter, int limit)
    {
        var matched = MatchingSlots(filter, out var candidates);

        // Sparse filters (a few documents) score their rows directly; broad ones scan storage in order with a
        // per-document mask, which keeps memory access sequential and needs no candidate list.
        int[]? rows = null;
        bool[]? mask = null;
        if (candidates * 4L < _rowCount)
        {
            rows = new int[candidates];
            var n = 0;
            foreach (var slot in matched)
            {
                foreach (var row in _slots[slot]!.Rows) rows[n++] = row;
            }
            Array.Sort(rows);
        }
        else
        {
            mask = new bool[_slots.Count];
            foreach (var slot in matched) mask[slot] = true;
        }

        sbyte[]? quantizedQuery = null;
        var shortlist = limit;
        if (_options.Quantize)
        {
            quantizedQuery = new sbyte[_dimension];
            VectorMath.Quantize(query, quantizedQuery);
            shortlist = (int)Math.Min(candidates, (long)limit * _options.Oversample);
        }
        return new Plan(query, quantizedQuery, limit, Math.Max(1, shortlist), rows, mask, rows?.Length ?? _rowCount, candidates, _version);
    }

    /// <summary>The best rows of the first pass (exact, or int8 when quantized); null when a write intervened.</summary>
    private async Task<(float Score, int Row)[]?> ScanParallelAsync(Plan plan, CancellationToken cancellationToken)
    {
        var cores = Environment.ProcessorCount;
        // More partitions than cores balances uneven filters and lets cancellation take effect between them.
        var partitions = cores * 4;
        var size = (plan.Items + partitions - 1) / partitions;
        var stale = false;
        var heaps = await PartitionedWork<TopK?>.RunAsync(partitions, cores - 1, HelperScheduler, p =>
        {
            var from = p * size;
            var to = Math.Min(plan.Items, from + size);
            if (from >= to || Volatile.Read(ref stale)) return null;
            _lock.EnterReadLock();
            try
            {
                if (_version != plan.Version)
                {
                    Volatile.Write(ref stale, true);
                    return null;
                }
                return ScanRange(plan, from, to, cancellationToken);
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }).ConfigureAwait(false);
        if (stale) return null;
        var merged = new TopK(plan.Shortlist);
        foreach (var heap in heaps)
        {
            if (heap is not null) merged.AddAll(heap);
        }
        return merged.ToSortedArray();
    }

    private TopK ScanRange(Plan plan, int from, int to, CancellationToken cancellationToken)
    {
        var heap = new TopK(plan.Shortlist);
        if (plan.QuantizedQuery is { } quantized) ScanQuantized(quantized, plan.Rows, plan.Mask, from, to, heap, cancellationToken);
        else ScanExact(plan.Query, plan.Rows, plan.Mask, from, to, heap, cancellationToken);
        return heap;
    }

    /// <summary>Re-scores an int8 shortlist exactly and turns rows into hits; under the read lock.</summary>
    private List<VectorHit> Finish(Plan plan, (float Score, int Row)[] shortlist)
    {
        var best = shortlist;
        if (plan.QuantizedQuery is not null)
        {
            var exact = new TopK(plan.Limit);
            foreach (var (_, row) in shortlist) exact.Add(Dot(plan.Query, row), row);
            best = exact.ToSortedArray();
        }
        var hits = new List<VectorHit>(best.Length);
        foreach (var (score, row) in best)
        {
            hits.Add(new VectorHit(_chunkIds[row], _slots[_rowSlot[row]]!.Document.Id, score));
        }
        return hits;
    }

    private List<int> MatchingSlots(SearchFilter filter, out int candidateRows)
    {
        var matched = new List<int>();
        candidateRows = 0;
        IEnumerable<int> slots;
        if (filter.Documents.Count > 0)
        {
            var named = new HashSet<int>();
            foreach (var id in filter.Documents)
            {
                if (_slotOfDocument.TryGetValue(id, out var s)) named.Add(s);
            }
            slots = named;
        }
        else if (_slotsOfTenant.TryGetValue(filter.Tenant, out var ofTenant))
        {
            slots = ofTenant;
        }
        else
        {
            return matched;
        }
        foreach (var slot in slots)
        {
            var entry = _slots[slot]!;
            if (entry.Rows.Count > 0 && SearchFilterEvaluator.Matches(entry.Document, filter))
            {
                matched.Add(slot);
                candidateRows += entry.Rows.Count;
            }
        }
        return matched;
    }

    /// <summary>The row at scan position <paramref name="i"/>: from the pre-selected list for narrow filters, else
    /// storage order, skipping tombstones and rows of documents the filter excludes.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool TrySelectRow(int i, int[]? rows, bool[]? mask, out int row)
    {
        if (rows is not null)
        {
            row = rows[i];
            return true;
        }
        row = i;
        var slot = _rowSlot[i];
        return slot >= 0 && mask![slot];
    }

    private void ScanExact(float[] query, int[]? rows, bool[]? mask, int from, int to, TopK heap, CancellationToken cancellationToken)
    {
        for (var i = from; i < to; i++)
        {
            if ((i & (CancellationCheckInterval - 1)) == 0) cancellationToken.ThrowIfCancellationRequested();
            if (!TrySelectRow(i, rows, mask, out var row)) continue;
            heap.Add(Dot(query, row), row);
        }
    }

    private void ScanQuantized(sbyte[] query, int[]? rows, bool[]? mask, int from, int to, TopK heap, CancellationToken cancellationToken)
    {
        for (var i = from; i < to; i++)
        {
            if ((i & (CancellationCheckInterval - 1)) == 0) cancellationToken.ThrowIfCancellationRequested();
            if (!TrySelectRow(i, rows, mask, out var row)) continue;
            // The query's own scale is a positive constant: it does not change the order, so it is left out.
            var segment = _quantized[row >> _segmentShift];
            var approximate = _scales[row] * VectorMath.DotInt8(query, segment.AsSpan((row & _segmentMask) * _dimension, _dimension));
            heap.Add(approximate, row);
        }
    }

    private float Dot(float[] query, int row) =>
        TensorPrimitives.Dot(query, _vectors[row >> _segmentShift].AsSpan((row & _segmentMask) * _dimension, _dimension));

    // ---- writes (under the write lock) ----

    private List<(ChunkId Chunk, VectorDocument Document, float[] Vector)> Prepare(IEnumerable<(ChunkId Chunk, VectorDocument Document, ReadOnlyMemory<float> Vector)> entries)
    {
        var prepared = new List<(ChunkId, VectorDocument, float[])>();
        foreach (var (chunk, document, vector) in entries)
        {
            ArgumentNullException.ThrowIfNull(document);
            CheckDimension(vector.Length, $"The vector of chunk '{chunk}'");
            var span = vector.Span;
            for (var i = 0; i < span.Length; i++)
            {
                if (!float.IsFinite(span[i]))
                    throw new ArgumentException($"The vector of chunk '{chunk}' contains a non-finite value at position {i}.", nameof(entries));
            }
            var normalized = new float[_dimension];
            // A zero vector stays zero: it scores 0 against every query rather than failing the whole batch.
            VectorMath.TryNormalize(span, normalized);
            prepared.Add((chunk, document, normalized));
        }
        return prepared;
    }

    private void CheckDimension(int actual, string what)
    {
        if (actual != _dimension)
            throw new ArgumentException($"{what} has dimension {actual}, but the vector index for model '{_options.Model}' has dimension {_dimension}.");
    }

    private void UpsertRow(ChunkId chunk, VectorDocument document, float[] vector)
    {
        var slot = SlotFor(document);
        if (_rowOfChunk.TryGetValue(chunk, out var existing))
        {
            if (_rowSlot[existing] == slot)
            {
                WriteVector(existing, vector);
                return;
            }
            RemoveRow(existing);
        }
        EnsureCapacity(_rowCount + 1);
        var row = _rowCount++;
        WriteVector(row, vector);
        _chunkIds[row] = chunk;
        _rowSlot[row] = slot;
        _rowOfChunk[chunk] = row;
        _slots[slot]!.Rows.Add(row);
    }

    private void WriteVector(int row, float[] vector)
    {
        var offset = (row & _segmentMask) * _dimension;
        vector.CopyTo(_vectors[row >> _segmentShift].AsSpan(offset, _dimension));
        if (_options.Quantize)
            _scales[row] = VectorMath.Quantize(vector, _quantized[row >> _segmentShift].AsSpan(offset, _dimension));
    }

    private int SlotFor(VectorDocument document)
    {
        if (_slotOfDocument.TryGetValue(document.Id, out var slot))
        {
            var entry = _slots[slot]!;
            if (entry.Document.TenantId != document.TenantId)
            {
                _slotsOfTenant[entry.Document.TenantId].Remove(slot);
                TenantSlots(document.TenantId).Add(slot);
            }
            // Newer metadata (tags, updated-at) wins: filters always see the document as last written.
            entry.Document = document;
            return slot;
        }
        var fresh = new DocumentSlot(document);
        if (_freeSlots.TryPop(out slot))
        {
            _slots[slot] = fresh;
        }
        else
        {
            slot = _slots.Count;
            _slots.Add(fresh);
        }
        _slotOfDocument[document.Id] = slot;
        TenantSlots(document.TenantId).Add(slot);
        return slot;
    }

    private HashSet<int> TenantSlots(TenantId tenant)
    {
        if (!_slotsOfTenant.TryGetValue(tenant, out var set))
        {
            set = [];
            _slotsOfTenant[tenant] = set;
        }
        return set;
    }

    private bool RemoveDocumentRows(DocumentId document)
    {
        if (!_slotOfDocument.Remove(document, out var slot)) return false;
        var entry = _slots[slot]!;
        foreach (var row in entry.Rows)
        {
            _rowOfChunk.Remove(_chunkIds[row]);
            _rowSlot[row] = -1;
            _chunkIds[row] = default;
            _tombstones++;
        }
        _slotsOfTenant[entry.Document.TenantId].Remove(slot);
        _slots[slot] = null;
        _freeSlots.Push(slot);
        return true;
    }

    private void RemoveRow(int row)
    {
        _slots[_rowSlot[row]]!.Rows.Remove(row);
        _rowOfChunk.Remove(_chunkIds[row]);
        _rowSlot[row] = -1;
        _chunkIds[row] = default;
        _tombstones++;
    }

    private void EnsureCapacity(int rows)
    {
        var rowsPerSegment = 1 << _segmentShift;
        while (_vectors.Count * rowsPerSegment < rows)
        {
            _vectors.Add(new float[rowsPerSegment * _dimension]);
            if (_options.Quantize) _quantized.Add(new sbyte[rowsPerSegment * _dimension]);
        }
        if (_rowSlot.Length < rows)
        {
            var size = Math.Max(rows, Math.Max(1024, _rowSlot.Length * 2));
            Array.Resize(ref _rowSlot, size);
            Array.Resize(ref _chunkIds, size);
            if (_options.Quantize) Array.Resize(ref _scales, size);
        }
    }

    private void CompactIfNeeded()
    {
        if (_tombstones > 0 && _tombstones >= _rowCount * _options.CompactionThreshold) CompactLocked();
    }

    private void CompactLocked()
    {
        if (_tombstones == 0) return;
        var write = 0;
        for (var read = 0; read < _rowCount; read++)
        {
            if (_rowSlot[read] < 0) continue;
            if (read != write)
            {
                var from = (read & _segmentMask) * _dimension;
                var to = (write & _segmentMask) * _dimension;
                _vectors[read >> _segmentShift].AsSpan(from, _dimension).CopyTo(_vectors[write >> _segmentShift].AsSpan(to, _dimension));
                if (_options.Quantize)
                {
                    _quantized[read >> _segmentShift].AsSpan(from, _dimension).CopyTo(_quantized[write >> _segmentShift].AsSpan(to, _dimension));
                    _scales[write] = _scales[read];
                }
                _chunkIds[write] = _chunkIds[read];
                _rowSlot[write] = _rowSlot[read];
                _rowOfChunk[_chunkIds[write]] = write;
            }
            write++;
        }
        Array.Fill(_rowSlot, -1, write, _rowCount - write);
        Array.Fill(_chunkIds, default, write, _rowCount - write);
        _rowCount = write;
        _tombstones = 0;

        foreach (var entry in _slots) entry?.Rows.Clear();
        for (var row = 0; row < _rowCount; row++) _slots[_rowSlot[row]]!.Rows.Add(row);

        var rowsPerSegment = 1 << _segmentShift;
        var segmentsNeeded = (_rowCount + rowsPerSegment - 1) / rowsPerSegment;
        if (_vectors.Count > segmentsNeeded) _vectors.RemoveRange(segmentsNeeded, _vectors.Count - segmentsNeeded);
        if (_quantized.Count > segmentsNeeded) _quantized.RemoveRange(segmentsNeeded, _quantized.Count - segmentsNeeded);
    }

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
