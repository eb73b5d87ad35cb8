using System.Diagnostics;
using System.Numerics.Tensors;

namespace Quarry.Benchmarks;

/// <summary>
/// Read bandwidth from main memory: a vectorized sum over 1 GiB, far beyond the caches, by one thread and by one
/// thread per core (the exact vector scan uses every core). An exact scan cannot beat bytes scanned ÷ this.
/// </summary>
internal static class MemoryBandwidth
{
    private static float[]? _array;

    public static float[] CreateArray()
    {
        var array = new float[256 << 20];
        array.AsSpan().Fill(1f);
        return array;
    }

    /// <summary>Sums the array, split evenly over <paramref name="threads"/> dedicated threads.</summary>
    public static float Sum(float[] array, int threads)
    {
        if (threads == 1) return TensorPrimitives.Sum<float>(array);
        var slice = array.Length / threads;
        var sums = new float[threads];
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() => sums[t] = TensorPrimitives.Sum<float>(array.AsSpan(t * slice, slice)))).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        return sums.Sum();
    }

    /// <returns>Bytes per second, best of five passes.</returns>
    public static double Measure(int threads)
    {
        var array = _array ??= CreateArray();
        var best = double.MaxValue;
        var sink = 0f;
        for (var pass = 0; pass < 5; pass++)
        {
            var started = Stopwatch.GetTimestamp();
            sink += Sum(array, threads);
            best = Math.Min(best, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        GC.KeepAlive(sink);
        return (double)array.Length * sizeof(float) / best;
    }

    /// <summary>A benchmark log line: bytes a query must read, the measured bandwidths and the time bound they give.</summary>
    public static string Describe(double bytesPerQuery)
    {
        var one = Measure(1);
        var all = Measure(Environment.ProcessorCount);
        return $"{bytesPerQuery / 1e6:F1} MB scanned per query; bandwidth {one / 1e9:F1} GB/s on one core, {all / 1e9:F1} GB/s on {Environment.ProcessorCount} " +
            $"→ bound {bytesPerQuery / one * 1e3:F2} ms/query on one core, {bytesPerQuery / all * 1e3:F2} ms on all";
    }
}
