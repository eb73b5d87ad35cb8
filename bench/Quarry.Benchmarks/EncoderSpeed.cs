using System.Diagnostics;
using System.Globalization;
using Quarry.Models.Local;
using Quarry.Models.Local.Inference;
using Quarry.Models.Local.Loading;
using Quarry.Models.Local.Models;
using Quarry.Tokenization;

namespace Quarry.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/Quarry.Benchmarks -- encoder-speed MODEL_FOLDER TEXTS_FILE [ROUNDS] [THREADS] [INT8_KERNEL]</c>:
/// a real model's throughput in float32 and int8, alternating round by round so that both see the same load on a
/// shared machine, then how far apart their vectors are (cosine per text) and where a float32 pass spends its time.
/// </summary>
internal static class EncoderSpeed
{
    public static void Run(string[] args)
    {
        var folder = ModelFolder.Open(args[0]);
        var texts = File.ReadAllLines(args[1]).Where(l => l.Length > 0).ToArray();
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        var threads = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : Environment.ProcessorCount;
        if (args.Length > 4) Int8Gemm.Best = Enum.Parse<Int8Kernel>(args[4], ignoreCase: true);
        var single = BertSentenceEncoder.Load(folder, new LocalModelSettings(threads));
        var int8 = BertSentenceEncoder.Load(folder, new LocalModelSettings(threads, Precision: ModelPrecision.Int8));
        var inputs = new BertInputEncoder(folder.LoadTokenizer(), single.MaxSequenceLength);
        var started = Stopwatch.GetTimestamp();
        var ids = new List<int>();
        foreach (var text in texts) inputs.EncodeSingle(text, ids);
        var tokenizeSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var tokens = ids.Count;
        Print($"{texts.Length} texts, {tokens} tokens, {threads} threads, int8 kernel {Int8Gemm.Best}; tokenizing alone: {tokens / tokenizeSeconds:F0} tokens/s");

        float[][] a = [], b = [];
        var ratios = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var t0 = Stopwatch.GetTimestamp();
            a = single.Embed(texts, CancellationToken.None);
            var fp32 = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            t0 = Stopwatch.GetTimestamp();
            b = int8.Embed(texts, CancellationToken.None);
            var q = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            ratios.Add(fp32 / q);
            Print($"round {round + 1}: float32 {tokens / fp32:F0} tokens/s, int8 {tokens / q:F0} tokens/s, int8 ÷ float32 = {fp32 / q:F2}×");
        }
        ratios.Sort();
        Print($"median speed-up {ratios[ratios.Count / 2]:F2}×");
        var cosines = a.Zip(b, (x, y) => Cosine(x, y)).Order().ToArray();
        Print($"cosine int8 vs float32 over {cosines.Length} texts: min {cosines[0]:F4}, 1st percentile {cosines[cosines.Length / 100]:F4}, mean {cosines.Average():F4}");
        Profile(single.Encoder, int8.Encoder);
    }

    /// <summary>One core, one pass over 16 sequences of 128 tokens: the dense layers' multiplies alone against the whole
    /// forward pass (the rest is attention, softmax, GELU, layer norms and the embeddings).</summary>
    private static void Profile(BertEncoder single, BertEncoder int8)
    {
        var c = single.Config;
        const int Sequences = 16, Length = 128;
        var m = Sequences * Length;
        var batch = new EncoderBatch();
        var random = new Random(5);
        var sequence = new int[Length];
        for (var s = 0; s < Sequences; s++)
        {
            for (var i = 0; i < Length; i++) sequence[i] = random.Next(1000, 30000);
            batch.AddIds(sequence);
        }
        var one = new BertEncoder(c, single.Weights, 1);
        var oneInt8 = new BertEncoder(c, int8.Weights, 1);
        var forward = Best(() => one.Return(one.Forward(batch, CancellationToken.None)));
        var forwardInt8 = Best(() => oneInt8.Return(oneInt8.Forward(batch, CancellationToken.None)));
        var h = c.HiddenSize;
        var x = new float[m * c.IntermediateSize];
        for (var i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() - 0.5);
        var y = new float[m * c.IntermediateSize];
        var q = new byte[m * c.IntermediateSize];
        var scales = new float[m];
        var layer = single.Weights.Layers[0];
        var layerInt8 = int8.Weights.Layers[0];
        (LinearWeight W, int K, int N)[] shapes = [(layer.Qkv, h, 3 * h), (layer.AttentionOutput, h, h), (layer.Intermediate, h, c.IntermediateSize), (layer.Output, c.IntermediateSize, h)];
        (LinearWeight W, int K, int N)[] shapesInt8 = [(layerInt8.Qkv, h, 3 * h), (layerInt8.AttentionOutput, h, h), (layerInt8.Intermediate, h, c.IntermediateSize), (layerInt8.Output, c.IntermediateSize, h)];
        var dense = c.Layers * Best(() =>
        {
            foreach (var (w, k, n) in shapes) Gemm.Multiply(x, k, 0, m, k, w.Single!.Data, n, 0, w.Panels, y, n, default, accumulate: false);
        });
        var denseInt8 = c.Layers * Best(() =>
        {
            foreach (var (w, k, n) in shapesInt8)
            {
                Int8Gemm.QuantizeRows(x, k, 0, m, k, q, scales);
                Int8Gemm.Multiply(q, scales, 0, m, w.Quantized!, 0, w.Panels, y, n, default, accumulate: false);
            }
        });
        Print($"profile, 1 core, {Sequences}×{Length} tokens: forward float32 {forward * 1e3:F0} ms, of which dense multiplies {dense * 1e3:F0} ms ({dense / forward:P0}); " +
              $"forward int8 {forwardInt8 * 1e3:F0} ms, of which dense {denseInt8 * 1e3:F0} ms ({denseInt8 / forwardInt8:P0})");
    }

    private static double Best(Action action)
    {
        var best = double.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            action();
            best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds);
        }
        return best;
    }

    private static double Cosine(float[] x, float[] y)
    {
        double dot = 0, nx = 0, ny = 0;
        for (var i = 0; i < x.Length; i++)
        {
            dot += (double)x[i] * y[i];
            nx += (double)x[i] * x[i];
            ny += (double)y[i] * y[i];
        }
        return dot / Math.Sqrt(nx * ny);
    }

    private static void Print(string line) => Console.WriteLine(line);
}
