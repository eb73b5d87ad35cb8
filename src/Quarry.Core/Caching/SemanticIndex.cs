using System.Collections.Concurrent;
using System.Numerics.Tensors;

namespace Quarry.Caching;

/// <summary>
/// The semantic layer's memory: per scope, the embeddings of questions whose answers are cached, each with its exact
/// key. In-process only (each replica learns its own), bounded per scope and in scope count; a scope whose knowledge
/// version changed is never asked again and goes when the bound is reached.
/// </summary>
internal sealed class SemanticIndex(int entriesPerScope)
{
    private const int MaxScopes = 4096;
    private readonly ConcurrentDictionary<string, Scope> _scopes = new(StringComparer.Ordinal);

    public void Add(string scope, float[] vector, string key)
    {
        if (_scopes.Count >= MaxScopes && !_scopes.ContainsKey(scope)) _scopes.Clear();
        var entries = _scopes.GetOrAdd(scope, _ => new Scope());
        lock (entries)
        {
            if (entries.Keys.Contains(key)) return;
            if (entries.Items.Count >= entriesPerScope)
            {
                entries.Keys.Remove(entries.Items[0].Key);
                entries.Items.RemoveAt(0);
            }
            entries.Items.Add((vector, key));
            entries.Keys.Add(key);
        }
    }

    /// <returns>The key of the most similar earlier question at or above <paramref name="threshold"/>, with its similarity.</returns>
    public (string Key, double Similarity)? Nearest(string scope, float[] vector, double threshold)
    {
        if (!_scopes.TryGetValue(scope, out var entries)) return null;
        lock (entries)
        {
            (string Key, double Similarity)? best = null;
            foreach (var (v, key) in entries.Items)
            {
                if (v.Length != vector.Length) continue;
                double similarity = TensorPrimitives.CosineSimilarity(v, vector);
                if (similarity >= threshold && (best is null || similarity > best.Value.Similarity)) best = (key, similarity);
            }
            return best;
        }
    }

    private sealed class Scope
    {
        public List<(float[] Vector, string Key)> Items { get; } = [];
        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
    }
}
