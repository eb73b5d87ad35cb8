using BenchmarkDotNet.Attributes;

namespace Quarry.Benchmarks;

/// <summary>The machine's read bandwidth, for comparing exact vector scans with their bound: GB/s = 1.074 ÷ mean in s.</summary>
public class MemoryBandwidthBenchmarks
{
    private float[] _array = [];

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup() => _array = MemoryBandwidth.CreateArray();

    [Benchmark(Description = "sum 1 GiB of float32")]
    public float Sum() => MemoryBandwidth.Sum(_array, Threads);
}
