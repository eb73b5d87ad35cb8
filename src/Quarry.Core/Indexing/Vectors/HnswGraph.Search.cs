using System.Collections.Concurrent;

namespace Quarry.Indexing.Vectors;

internal sealed partial class HnswGraph
{
    private readonly ConcurrentBag<VisitedSet> _visitedPool = [];

    /// <summary>
    /// The best (similarity, row) pairs among live nodes whose row <paramref name="accept"/> admits, best first, at
    /// most <paramref name="limit"/>. Rejected and removed nodes are still routed through, so a filter never cuts the
    /// graph apart; it only lengthens the walk, which keeps going until <paramref name="ef"/> admitted nodes are found
    /// or nothing closer is left. The caller widens <paramref name="ef"/> for selective filters and scans exactly when
    /// even that returns too few.
    /// </summary>
    public List<(float Similarity, int Row)> Search(ReadOnlySpan<float> query, int limit, int ef, Func<int, bool>? accept)
    {
        if (_entry < 0 || limit <= 0) return [];
        var entry = _entry;
        for (var l = _maxLevel; l > 0; l--) entry = Greedy(query, entry, l);
        var found = SearchLayer(query, entry, Math.Max(ef, limit), 0, accept, construction: false);
        var hits = new List<(float Similarity, int Row)>(Math.Min(limit, found.Count));
        for (var i = 0; i < found.Count && hits.Count < limit; i++) hits.Add((found[i].Similarity, _rowOfNode[found[i].Node]));
        return hits;
    }

    /// <summary>Best-first search of one level from <paramref name="entry"/>; results sorted best first. During
    /// construction every node counts (new nodes may link to removed ones, as in hnswlib); in a search only live,
    /// admitted nodes do.</summary>
    private List<(float Similarity, int Node)> SearchLayer(ReadOnlySpan<float> query, int entry, int ef, int level,
        Func<int, bool>? accept, bool construction)
    {
        var visited = RentVisited();
        try
        {
            // Candidates pop best first (priority = -similarity); results keep the worst kept at the root.
            var candidates = new PriorityQueue<int, float>();
            var results = new PriorityQueue<int, float>();
            var similarity = Similarity(query, entry);
            visited.Visit(entry);
            candidates.Enqueue(entry, -similarity);
            if (Counts(entry, accept, construction)) results.Enqueue(entry, similarity);

            while (candidates.TryDequeue(out var current, out var negated))
            {
                if (results.Count >= ef && -negated < WorstOf(results)) break;
                var links = Links(current, level);
                for (var i = 1; i <= links[0]; i++)
                {
                    var neighbour = links[i];
                    if (!visited.Visit(neighbour)) continue;
                    var s = Similarity(query, neighbour);
                    if (results.Count >= ef && s <= WorstOf(results)) continue;
                    candidates.Enqueue(neighbour, -s);
                    if (!Counts(neighbour, accept, construction)) continue;
                    results.Enqueue(neighbour, s);
                    if (results.Count > ef) results.Dequeue();
                }
            }

            var sorted = new List<(float Similarity, int Node)>(results.Count);
            while (results.TryDequeue(out var node, out var s)) sorted.Add((s, node));
            sorted.Reverse();
            return sorted;
        }
        finally
        {
            _visitedPool.Add(visited);
        }
    }

    private bool Counts(int node, Func<int, bool>? accept, bool construction) =>
        construction || (!_removed[node] && (accept is null || accept(_rowOfNode[node])));

    private static float WorstOf(PriorityQueue<int, float> results)
    {
        results.TryPeek(out _, out var worst);
        return worst;
    }

    private VisitedSet RentVisited()
    {
        if (_visitedPool.TryTake(out var set) && set.Capacity >= _nodeCount)
        {
            set.Clear();
            return set;
        }
        return new VisitedSet(Math.Max(_nodeCount, _rowOfNode.Length));
    }

    /// <summary>Visit marks stamped with a generation, so clearing between searches costs nothing.</summary>
    private sealed class VisitedSet(int capacity)
    {
        private readonly int[] _marks = new int[capacity];
        private int _generation = 1;

        public int Capacity => _marks.Length;

        public void Clear()
        {
            if (++_generation == int.MaxValue)
            {
                Array.Clear(_marks);
                _generation = 1;
            }
        }

        /// <summary>True the first time a node is visited.</summary>
        public bool Visit(int node)
        {
            if (_marks[node] == _generation) return false;
            _marks[node] = _generation;
            return true;
        }
    }
}
