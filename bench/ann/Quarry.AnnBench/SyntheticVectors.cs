using System.Runtime.InteropServices;

namespace Quarry.AnnBench;

/// <summary>
/// Seeded clustered unit vectors (Gaussian centres, Gaussian noise around them; text embeddings are clustered like
/// this rather than uniform), written as raw little-endian float32 so the npm side reads exactly the same numbers:
/// base.f32 (n × dim), queries.f32 (q × dim), meta.txt ("n dim q seed").
/// </summary>
internal sealed record SyntheticVectors(int Count, int Dimension, float[] Base, float[] Queries)
{
    public int QueryCount => Queries.Length / Dimension;

    public ReadOnlyMemory<float> Vector(int i) => Base.AsMemory(i * Dimension, Dimension);
    public float[] Query(int i) => Queries.AsSpan(i * Dimension, Dimension).ToArray();

    public static SyntheticVectors Create(int n, int dim, int queries, int seed)
    {
        var random = new Random(seed);
        var clusters = Math.Max(16, n / 100);
        var centres = new float[clusters][];
        for (var c = 0; c < clusters; c++) centres[c] = Gaussian(random, dim, 1.0);
        return new SyntheticVectors(n, dim, Points(random, centres, n, dim), Points(random, centres, queries, dim));
    }

    public static SyntheticVectors LoadOrCreate(string dir, int n, int dim, int queries, int seed)
    {
        var meta = Path.Combine(dir, "meta.txt");
        var expected = $"{n} {dim} {queries} {seed}";
        if (File.Exists(meta) && File.ReadAllText(meta).Trim() == expected)
        {
            return new SyntheticVectors(n, dim, Read(Path.Combine(dir, "base.f32")), Read(Path.Combine(dir, "queries.f32")));
        }
        Directory.CreateDirectory(dir);
        var data = Create(n, dim, queries, seed);
        File.WriteAllBytes(Path.Combine(dir, "base.f32"), MemoryMarshal.AsBytes(data.Base.AsSpan()).ToArray());
        File.WriteAllBytes(Path.Combine(dir, "queries.f32"), MemoryMarshal.AsBytes(data.Queries.AsSpan()).ToArray());
        File.WriteAllText(meta, expected);
        return data;
    }

    private static float[] Read(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();

    private static float[] Points(Random random, float[][] centres, int count, int dim)
    {
        var result = new float[count * dim];
        for (var i = 0; i < count; i++)
        {
            var centre = centres[random.Next(centres.Length)];
            var noise = Gaussian(random, dim, 0.6);
            var span = result.AsSpan(i * dim, dim);
            var norm = 0.0;
            for (var d = 0; d < dim; d++)
            {
                span[d] = centre[d] + noise[d];
                norm += span[d] * span[d];
            }
            var inverse = (float)(1 / Math.Sqrt(norm));
            for (var d = 0; d < dim; d++) span[d] *= inverse;
        }
        return result;
    }

    private static float[] Gaussian(Random random, int dim, double sigma)
    {
        var v = new float[dim];
        for (var d = 0; d < dim; d++)
            v[d] = (float)(sigma * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return v;
    }
}
