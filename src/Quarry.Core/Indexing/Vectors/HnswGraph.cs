using System.Numerics.Tensors;

namespace Quarry.Indexing.Vectors;

/// <summary>The unit-length vector stored at a row of the owning index.</summary>
internal delegate ReadOnlySpan<float> RowVector(int row);

/// <summary>
/// A hierarchical navigable small-world graph (Malkov and Yashunin, 2016) over rows of the owning index's vector
/// storage; similarity is the dot product of unit vectors. The graph owns no vectors: nodes name rows, so the owner
/// remaps them when it compacts storage. Removal only marks a node: it still routes searches (its row keeps its
/// vector until compaction) but is never returned, and the owner rebuilds the graph once too many are marked.
/// Construction is deterministic for a given seed and insertion order. Not thread-safe for writes; any number of
/// searches may run together while no write does (the owner's lock guarantees it).
/// </summary>
internal sealed partial class HnswGraph
{
    private readonly int _m;
    private readonly int _m0;
    private readonly int _efConstruction;
    private readonly double _levelMultiplier;
    private readonly Random _random;
    private readonly RowVector _vector;

    private int[] _rowOfNode;
    private bool[] _removed;
    private int[] _levelOfNode;
    /// <summary>Level-0 links: per node a count followed by up to <see cref="_m0"/> neighbours.</summary>
    private int[] _links0;
    /// <summary>Links of levels 1..level of a node, each a count followed by up to <see cref="_m"/> neighbours.</summary>
    private int[]?[] _upperLinks;
    private readonly Dictionary<int, int> _nodeOfRow = [];
    private int _nodeCount;
    private int _entry = -1;
    private int _maxLevel = -1;

    public HnswGraph(RowVector vector, int m, int efConstruction, int seed, int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(m, 2);
        _vector = vector;
        _m = m;
        _m0 = 2 * m;
        _efConstruction = Math.Max(efConstruction, m);
        _levelMultiplier = 1 / Math.Log(m);
        _random = new Random(seed);
        capacity = Math.Max(capacity, 16);
        _rowOfNode = new int[capacity];
        _removed = new bool[capacity];
        _levelOfNode = new int[capacity];
        _links0 = new int[capacity * (_m0 + 1)];
        _upperLinks = new int[]?[capacity];
    }

    /// <summary>Nodes that are returned by searches.</summary>
    public int LiveCount => _nodeOfRow.Count;

    /// <summary>Nodes, removed ones included.</summary>
    public int NodeCount => _nodeCount;

    public int RemovedCount => _nodeCount - _nodeOfRow.Count;

    public bool Contains(int row) => _nodeOfRow.ContainsKey(row);

    /// <summary>Links the vector at <paramref name="row"/> into the graph; a row already present (its vector was
    /// overwritten) gets a new node and its old one is marked removed.</summary>
    public void Insert(int row)
    {
        Remove(row);
        var node = _nodeCount;
        EnsureCapacity(node + 1);
        _nodeCount++;
        var level = (int)(-Math.Log(1 - _random.NextDouble()) * _levelMultiplier);
        _rowOfNode[node] = row;
        _levelOfNode[node] = level;
        _links0[node * (_m0 + 1)] = 0;
        _upperLinks[node] = level > 0 ? new int[level * (_m + 1)] : null;
        _nodeOfRow[row] = node;
        if (_entry < 0)
        {
            _entry = node;
            _maxLevel = level;
            return;
        }

        var query = _vector(row);
        var entry = _entry;
        for (var l = _maxLevel; l > level; l--) entry = Greedy(query, entry, l);
        for (var l = Math.Min(level, _maxLevel); l >= 0; l--)
        {
            var found = SearchLayer(query, entry, _efConstruction, l, accept: null, construction: true);
            var neighbours = SelectNeighbours(found, _m);
            SetLinks(node, l, neighbours);
            foreach (var (_, neighbour) in neighbours) Connect(neighbour, node, l);
            entry = found[0].Node;
        }
        if (level > _maxLevel)
        {
            _entry = node;
            _maxLevel = level;
        }
    }

    /// <summary>Marks the node of <paramref name="row"/> removed: never returned, still routed through.</summary>
    public bool Remove(int row)
    {
        if (!_nodeOfRow.Remove(row, out var node)) return false;
        _removed[node] = true;
        return true;
    }

    /// <summary>Renames rows after the owner compacted its storage; only valid when no node is marked removed
    /// (a removed node's vector is gone after compaction, so such a graph is rebuilt instead).</summary>
    public void Remap(int[] newRowOfOld)
    {
        if (RemovedCount > 0) throw new InvalidOperationException("A graph with removed nodes cannot be remapped; rebuild it.");
        _nodeOfRow.Clear();
        for (var node = 0; node < _nodeCount; node++)
        {
            var row = newRowOfOld[_rowOfNode[node]];
            _rowOfNode[node] = row;
            _nodeOfRow[row] = node;
        }
    }

    /// <summary>Bytes held by the graph's links and bookkeeping (not the vectors, which the owner holds).</summary>
    public long EstimateBytes()
    {
        long bytes = (long)_rowOfNode.Length * (sizeof(int) * 2 + 1) + (long)_links0.Length * sizeof(int) + (long)_upperLinks.Length * 8;
        for (var node = 0; node < _nodeCount; node++) bytes += _upperLinks[node] is { } up ? 24 + up.Length * sizeof(int) : 0;
        return bytes + _nodeOfRow.Count * 24L;
    }

    private float Similarity(ReadOnlySpan<float> query, int node) => TensorPrimitives.Dot(query, _vector(_rowOfNode[node]));

    private Span<int> Links(int node, int level) => level == 0
        ? _links0.AsSpan(node * (_m0 + 1), _m0 + 1)
        : _upperLinks[node].AsSpan((level - 1) * (_m + 1), _m + 1);

    private int Greedy(ReadOnlySpan<float> query, int entry, int level)
    {
        var best = entry;
        var bestSimilarity = Similarity(query, entry);
        for (var changed = true; changed;)
        {
            changed = false;
            var links = Links(best, level);
            for (var i = 1; i <= links[0]; i++)
            {
                var similarity = Similarity(query, links[i]);
                if (similarity > bestSimilarity)
                {
                    bestSimilarity = similarity;
                    best = links[i];
                    changed = true;
                }
            }
        }
        return best;
    }

    private void SetLinks(int node, int level, List<(float Similarity, int Node)> neighbours)
    {
        var links = Links(node, level);
        links[0] = neighbours.Count;
        for (var i = 0; i < neighbours.Count; i++) links[i + 1] = neighbours[i].Node;
    }

    /// <summary>Adds <paramref name="added"/> to <paramref name="node"/>'s links; a full list keeps the neighbours the
    /// selection heuristic prefers.</summary>
    private void Connect(int node, int added, int level)
    {
        var links = Links(node, level);
        var capacity = links.Length - 1;
        if (links[0] < capacity)
        {
            links[++links[0]] = added;
            return;
        }
        var own = _vector(_rowOfNode[node]);
        var candidates = new List<(float Similarity, int Node)>(capacity + 1) { (Similarity(own, added), added) };
        for (var i = 1; i <= links[0]; i++) candidates.Add((Similarity(own, links[i]), links[i]));
        candidates.Sort(static (a, b) => b.Similarity.CompareTo(a.Similarity));
        SetLinks(node, level, SelectNeighbours(candidates, capacity));
    }

    /// <summary>The heuristic of the HNSW paper (algorithm 4): a candidate is kept only if it is closer to the base
    /// than to any neighbour already kept, which keeps links spread across clusters. <paramref name="candidates"/>
    /// is sorted best first.</summary>
    private List<(float Similarity, int Node)> SelectNeighbours(List<(float Similarity, int Node)> candidates, int count)
    {
        var selected = new List<(float Similarity, int Node)>(count);
        foreach (var candidate in candidates)
        {
            if (selected.Count == count) break;
            var vector = _vector(_rowOfNode[candidate.Node]);
            var good = true;
            foreach (var (_, kept) in selected)
            {
                if (Similarity(vector, kept) > candidate.Similarity) { good = false; break; }
            }
            if (good) selected.Add(candidate);
        }
        return selected;
    }

    private void EnsureCapacity(int nodes)
    {
        if (_rowOfNode.Length >= nodes) return;
        var size = Math.Max(nodes, _rowOfNode.Length * 2);
        Array.Resize(ref _rowOfNode, size);
        Array.Resize(ref _removed, size);
        Array.Resize(ref _levelOfNode, size);
        Array.Resize(ref _links0, size * (_m0 + 1));
        Array.Resize(ref _upperLinks, size);
    }
}
