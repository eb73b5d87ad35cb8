using System.Globalization;
using BenchmarkDotNet.Attributes;
using Quarry.Models.Local;
using Quarry.Models.Local.Inference;
using Quarry.Models.Local.Loading;

namespace Quarry.Benchmarks;

/// <summary>
/// The local BERT encoder's forward pass on a 6-layer, 384-hidden, 12-head, 1536-intermediate configuration (the
/// shape of all-MiniLM-L6-v2 and bge-small's width) with random weights: speed does not depend on the values. One
/// operation is one token, so the "Op/s" column is tokens per second; sequences per second is that ÷ SequenceLength.
/// Compare with <see cref="GemmBenchmarks"/>: FLOPs per sequence ÷ measured GEMM FLOP/s is the arithmetic bound.
/// </summary>
[MemoryDiagnoser]
public class LocalEncoderBenchmarks
{
    internal static readonly BertConfig MiniLmShape = new(["BertModel"], 30522, 384, 6, 12, 1536, 512, 2, 1e-12f, "gelu", 2);

    private BertEncoder _encoder = null!;
    private EncoderBatch _batch = null!;

    /// <summary>32, 128 and 512, or the comma-separated list in QUARRY_BENCH_SEQ.</summary>
    [ParamsSource(nameof(SequenceLengths))]
    public int SequenceLength { get; set; }

    /// <summary>1 and 32, or the list in QUARRY_BENCH_BATCH (512 × 32 takes about a minute per operation on one core).</summary>
    [ParamsSource(nameof(Batches))]
    public int Batch { get; set; }

    public static IEnumerable<int> SequenceLengths() => FromEnvironment("QUARRY_BENCH_SEQ", [32, 128, 512]);

    public static IEnumerable<int> Batches() => FromEnvironment("QUARRY_BENCH_BATCH", [1, 32]);

    private static IEnumerable<int> FromEnvironment(string name, int[] fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } list
            ? list.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture))
            : fallback;

    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Float32 and Int8 dense layers (a real model's speed and vector agreement: <see cref="EncoderSpeed"/>).</summary>
    [Params(ModelPrecision.Float32, ModelPrecision.Int8)]
    public ModelPrecision Precision { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _encoder = new BertEncoder(MiniLmShape, BertWeights.Random(MiniLmShape, 42, Precision), Threads);
        var random = new Random(7);
        _batch = new EncoderBatch();
        var ids = new int[SequenceLength];
        for (var s = 0; s < Batch; s++)
        {
            for (var i = 0; i < ids.Length; i++) ids[i] = random.Next(1000, 30000);
            _batch.AddIds(ids);
        }
        var flops = FlopsPerSequence(MiniLmShape, SequenceLength);
        // On a shared machine the GEMM rate moves with the load: measure it right here, beside this configuration.
        var gemm = GemmBenchmarks.MeasureFlopsPerSecond(Threads);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// {nameof(LocalEncoderBenchmarks)} L={SequenceLength} B={Batch} T={Threads}: {flops / 1e9:F3} GFLOP per sequence ({flops / SequenceLength / 1e6:F1} MFLOP/token); " +
            $"GEMM now {gemm / 1e9:F1} GFLOP/s → bound {flops * Batch / gemm * 1e3:F1} ms per pass"));
    }

    [Benchmark(OperationsPerInvoke = 1)]
    public void Forward() => _encoder.Return(_encoder.Forward(_batch, CancellationToken.None));

    /// <summary>Multiply-adds ×2 of one sequence: the four projections and the feed-forward per token, and
    /// Q·Kᵀ and P·V per layer (4·L²·H).</summary>
    internal static double FlopsPerSequence(BertConfig c, int length)
    {
        double h = c.HiddenSize, i = c.IntermediateSize;
        var perTokenPerLayer = 2 * (4 * h * h + 2 * h * i);
        var attentionPerLayer = 4.0 * length * length * h;
        return c.Layers * (length * perTokenPerLayer + attentionPerLayer);
    }
}

/// <summary>
/// The encoder's matrix multiply alone on the feed-forward shape of a 384-hidden model, M = 4096 tokens, K = 384,
/// N = 1536: 2·M·N·K = 4.83 GFLOP per operation; GFLOP/s = 4.83 ÷ mean seconds.
/// </summary>
public class GemmBenchmarks
{
    private const int M = 4096, K = 384, N = 1536;
    private float[] _a = null!;
    private PackedMatrix _b = null!;
    private float[] _c = null!;
    private float[] _bias = null!;
    private ParallelOptions _parallel = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        _a = [.. Enumerable.Range(0, M * K).Select(_ => (float)random.NextDouble())];
        _b = PackedMatrix.FromLinearWeight([.. Enumerable.Range(0, N * K).Select(_ => (float)random.NextDouble())], N, K);
        _c = new float[M * N];
        _bias = new float[N];
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = Threads };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// {nameof(GemmBenchmarks)}: {2.0 * M * N * K / 1e9:F3} GFLOP per op, panel width {Gemm.PanelWidth}"));
    }

    /// <summary>Best of five multiplies of this shape: the machine's GEMM rate with this kernel, now.</summary>
    internal static double MeasureFlopsPerSecond(int threads)
    {
        var probe = new GemmBenchmarks { Threads = threads };
        probe.Setup();
        var best = double.MaxValue;
        for (var i = 0; i < 5; i++)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            probe.Multiply();
            best = Math.Min(best, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        return 2.0 * M * N * K / best;
    }

    [Benchmark]
    public void Multiply() =>
        Parallel.For(0, (M + Gemm.BlockRows - 1) / Gemm.BlockRows, _parallel, block =>
            Gemm.Multiply(_a, K, block * Gemm.BlockRows, Math.Min(M, (block + 1) * Gemm.BlockRows), K, _b.Data, N, 0, _b.Panels, _c, N, _bias, accumulate: false));
}
