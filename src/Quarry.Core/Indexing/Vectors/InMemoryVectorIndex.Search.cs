using System.Numerics.Tensors;
using Quarry.Documents;
using Quarry.Retrieval;

namespace Quarry.Indexing.Vectors;

internal sealed partial class InMemoryVectorIndex
{
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
        if (_graphs.Count > 0)
        {
            _lock.EnterReadLock();
            try
            {
                if (TrySearchApproximateLocked(query, filter, limit, cancellationToken) is { } approximate) return approximate;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
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
}
