using Quarry.Documents;
using Quarry.Retrieval;

namespace Quarry.Indexing.Vectors;

/// <summary>
/// The approximate path: one HNSW graph per tenant (the index's partition) once the tenant holds
/// <see cref="VectorIndexOptions.ApproximateThreshold"/> live vectors. Graphs follow every write under the write
/// lock: added rows are linked, removed rows are marked and never returned, a graph with too many marked nodes (or
/// whose removed rows were compacted away) is rebuilt, and a tenant that shrinks to half the threshold drops its graph.
/// </summary>
internal sealed partial class InMemoryVectorIndex
{
    private readonly RowVector _rowVector;
    private readonly Dictionary<TenantId, HnswGraph> _graphs = [];
    private readonly Dictionary<TenantId, int> _liveRowsOfTenant = [];
    private readonly HashSet<TenantId> _touchedTenants = [];
    private long _approximateSearches;

    /// <summary>Searches answered by a graph (the rest scanned exactly); lets tests see which path ran.</summary>
    internal long ApproximateSearches => Interlocked.Read(ref _approximateSearches);

    /// <summary>Whether <paramref name="tenant"/> has a graph, and its live nodes.</summary>
    internal (bool Built, int Live, int Removed) GraphOf(TenantId tenant) =>
        Read(() => _graphs.TryGetValue(tenant, out var g) ? (true, g.LiveCount, g.RemovedCount) : (false, 0, 0));

    /// <summary>Bytes held by all graphs' links (vectors not included: the graphs share the exact index's storage).</summary>
    internal long GraphBytes() => Read(() => _graphs.Values.Sum(g => g.EstimateBytes()));

    private ReadOnlySpan<float> VectorAt(int row) =>
        _vectors[row >> _segmentShift].AsSpan((row & _segmentMask) * _dimension, _dimension);

    /// <summary>
    /// The top <paramref name="limit"/> from the tenant's graph, or null when the exact scan should answer: no graph,
    /// a document list (always sparse), fewer admitted vectors than the threshold (the exact scan of the subset is
    /// cheaper), a filter so selective that the widened walk would visit a quarter of the admitted vectors anyway,
    /// or a walk that found fewer than it should. Under the read lock.
    /// </summary>
    private List<VectorHit>? TrySearchApproximateLocked(float[] query, SearchFilter filter, int limit, CancellationToken cancellationToken)
    {
        if (filter.Documents.Count > 0 || !_graphs.TryGetValue(filter.Tenant, out var graph) || graph.LiveCount == 0) return null;
        // A filter on the tenant alone admits the whole graph: no need to visit every document to learn that.
        var whole = SearchFilterEvaluator.AdmitsWholeTenant(filter);
        List<int>? matched = null;
        var candidates = graph.LiveCount;
        if (!whole) matched = MatchingSlots(filter, out candidates);
        if (candidates < _options.ApproximateThreshold) return null;

        // A filter admitting a share s of the graph leaves about s of each neighbourhood usable: widen the walk by 1/s.
        var selectivity = Math.Min(1, candidates / (double)graph.LiveCount);
        var ef = Math.Ceiling(Math.Max(_options.HnswEfSearch, limit) / selectivity);
        if (ef > candidates / 4.0) return null;

        Func<int, bool>? accept = null;
        if (matched is not null && candidates < graph.LiveCount)
        {
            var mask = new bool[_slots.Count];
            foreach (var slot in matched) mask[slot] = true;
            accept = row => mask[_rowSlot[row]];
        }
        cancellationToken.ThrowIfCancellationRequested();
        var found = graph.Search(query, limit, (int)ef, accept);
        if (found.Count < Math.Min(limit, candidates)) return null;

        Interlocked.Increment(ref _approximateSearches);
        var hits = new List<VectorHit>(found.Count);
        foreach (var (score, row) in found) hits.Add(new VectorHit(_chunkIds[row], _slots[_rowSlot[row]]!.Document.Id, score));
        return hits;
    }

    private void RowAdded(TenantId tenant, int row)
    {
        _liveRowsOfTenant[tenant] = _liveRowsOfTenant.GetValueOrDefault(tenant) + 1;
        if (_graphs.TryGetValue(tenant, out var graph)) graph.Insert(row);
        _touchedTenants.Add(tenant);
    }

    private void RowRemoved(TenantId tenant, int row)
    {
        _liveRowsOfTenant[tenant] = _liveRowsOfTenant.GetValueOrDefault(tenant) - 1;
        if (_graphs.TryGetValue(tenant, out var graph)) graph.Remove(row);
        _touchedTenants.Add(tenant);
    }

    /// <summary>Storage was compacted: graphs whose removed nodes lost their vectors are dropped (rebuilt by
    /// <see cref="SyncGraphsLocked"/>), the others follow their rows to the new positions.</summary>
    private void RemapGraphs(int[] newRowOfOld)
    {
        foreach (var (tenant, graph) in _graphs.ToList())
        {
            if (graph.RemovedCount > 0)
            {
                _graphs.Remove(tenant);
                _touchedTenants.Add(tenant);
            }
            else
            {
                graph.Remap(newRowOfOld);
            }
        }
    }

    /// <summary>Builds, rebuilds or drops the graphs of the tenants the last write touched; under the write lock.</summary>
    private void SyncGraphsLocked()
    {
        if (_touchedTenants.Count == 0) return;
        var threshold = _options.ApproximateThreshold;
        foreach (var tenant in _touchedTenants)
        {
            var live = _liveRowsOfTenant.GetValueOrDefault(tenant);
            if (live <= 0) _liveRowsOfTenant.Remove(tenant);
            if (_graphs.TryGetValue(tenant, out var graph))
            {
                // Hysteresis: a tenant hovering around the threshold does not build and drop a graph on every write.
                if (live < threshold / 2) _graphs.Remove(tenant);
                else if (graph.RemovedCount > graph.NodeCount * _options.CompactionThreshold) _graphs[tenant] = BuildGraph(tenant, live);
            }
            else if (live >= threshold)
            {
                _graphs[tenant] = BuildGraph(tenant, live);
            }
        }
        _touchedTenants.Clear();
    }

    /// <summary>Links the tenant's rows in storage order, so the same writes build the same graph.</summary>
    private HnswGraph BuildGraph(TenantId tenant, int live)
    {
        var rows = new List<int>(live);
        if (_slotsOfTenant.TryGetValue(tenant, out var slots))
        {
            foreach (var slot in slots) rows.AddRange(_slots[slot]!.Rows);
        }
        rows.Sort();
        var graph = new HnswGraph(_rowVector, _options.HnswM, _options.HnswEfConstruction, _options.HnswSeed, rows.Count);
        foreach (var row in rows) graph.Insert(row);
        return graph;
    }
}
