namespace Quarry.Indexing.Vectors;

/// <summary>
/// The best <c>capacity</c> (score, row) pairs seen so far, kept in a bounded min-heap: the weakest kept result sits
/// at the root, so a new score is compared with one value and the heap is only touched when it wins.
/// </summary>
internal sealed class TopK
{
    private readonly float[] _scores;
    private readonly int[] _rows;
    private int _count;

    public TopK(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _scores = new float[capacity];
        _rows = new int[capacity];
    }

    public int Count => _count;

    /// <summary>The score a candidate must beat to enter a full heap.</summary>
    public float Threshold => _count == _scores.Length ? _scores[0] : float.NegativeInfinity;

    public void Add(float score, int row)
    {
        if (_count < _scores.Length)
        {
            var i = _count++;
            _scores[i] = score;
            _rows[i] = row;
            SiftUp(i);
        }
        else if (score > _scores[0])
        {
            _scores[0] = score;
            _rows[0] = row;
            SiftDown(0);
        }
    }

    public void AddAll(TopK other)
    {
        for (var i = 0; i < other._count; i++) Add(other._scores[i], other._rows[i]);
    }

    /// <summary>The kept pairs, best first; ties ordered by row so results are deterministic.</summary>
    public (float Score, int Row)[] ToSortedArray()
    {
        var result = new (float Score, int Row)[_count];
        for (var i = 0; i < _count; i++) result[i] = (_scores[i], _rows[i]);
        Array.Sort(result, static (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Row.CompareTo(b.Row));
        return result;
    }

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (_scores[parent] <= _scores[i]) break;
            Swap(i, parent);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            var left = (i << 1) + 1;
            if (left >= _count) break;
            var smallest = left + 1 < _count && _scores[left + 1] < _scores[left] ? left + 1 : left;
            if (_scores[i] <= _scores[smallest]) break;
            Swap(i, smallest);
            i = smallest;
        }
    }

    private void Swap(int a, int b)
    {
        (_scores[a], _scores[b]) = (_scores[b], _scores[a]);
        (_rows[a], _rows[b]) = (_rows[b], _rows[a]);
    }
}
