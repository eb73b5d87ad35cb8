using System.ComponentModel.DataAnnotations;
using Quarry.Models.Local.Builtin;
using Quarry.Models.Local.Inference;

namespace Quarry.Models.Local.Tests;

/// <summary>
/// The int8 multiply against a naive one written from the definition (quantize each weight column and each activation
/// row by its largest magnitude, sum integer products, scale back): every kernel this machine runs must give the
/// naive integers exactly, hence the same floats bit for bit.
/// </summary>
public class Int8GemmTests
{
    public static TheoryData<string> Kernels() => [.. Supported.Select(k => k.ToString())];

    private static IEnumerable<Int8Kernel> Supported => Enum.GetValues<Int8Kernel>().Where(Int8Gemm.IsSupported);

    [Fact]
    public void Every_kernel_this_machine_has_is_tested()
    {
        // The scalar reference always runs; an x86-64 CI machine also runs AVX2 (and AVX-512BW where present).
        Supported.Should().Contain(Int8Kernel.Scalar);
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported) Supported.Should().Contain(Int8Kernel.Avx2);
        Supported.Should().Contain(Int8Gemm.Best);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Products_equal_the_naive_integer_sums(string kernel)
    {
        // Odd sizes: K not a multiple of four, N not of a panel, M not of a micro-tile or a row block.
        foreach (var (m, k, n) in new[] { (13, 37, 45), (61, 384, 70), (6, 4, 32), (1, 1, 1) })
        {
            foreach (var accumulate in new[] { false, true })
                Check(Enum.Parse<Int8Kernel>(kernel), m, k, n, accumulate, seed: m * 1000 + k + n);
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Extreme_values_do_not_saturate(string kernel)
    {
        // Every activation at +max and every weight at ±max: the largest pairs the 16-bit multiply-add ever sees.
        const int M = 7, K = 64, N = 33;
        var a = Enumerable.Repeat(1f, M * K).ToArray();
        var w = Enumerable.Range(0, N * K).Select(i => i % 3 == 0 ? -2f : 2f).ToArray();
        a[5] = -1f;
        var c = Multiply(Enum.Parse<Int8Kernel>(kernel), a, M, K, w, N, [], accumulate: false);
        c.Should().Equal(Naive(a, M, K, w, N, [], new float[M * N]));
    }

    [Fact]
    public void Quantized_products_stay_close_to_float32()
    {
        const int M = 20, K = 384, N = 96;
        var random = new Random(11);
        var a = Enumerable.Range(0, M * K).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var w = Enumerable.Range(0, N * K).Select(_ => (float)(random.NextDouble() * 0.2 - 0.1)).ToArray();
        var c = Multiply(Int8Gemm.Best, a, M, K, w, N, [], accumulate: false);
        for (var r = 0; r < M; r++)
        {
            for (var j = 0; j < N; j++)
            {
                var exact = 0.0;
                for (var kk = 0; kk < K; kk++) exact += (double)a[r * K + kk] * w[j * K + kk];
                // Errors of ½ step on 384 products add up like a random walk: a few hundredths at most here.
                c[r * N + j].Should().BeApproximately((float)exact, 0.05f);
            }
        }
    }

    [Fact]
    public void Precision_outside_the_enum_fails_validation()
    {
        var options = new BuiltinEmbeddingOptions { Precision = (ModelPrecision)7 };
        Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true).Should().BeFalse();
        options.Precision = ModelPrecision.Int8;
        Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true).Should().BeTrue();
    }

    private static void Check(Int8Kernel kernel, int m, int k, int n, bool accumulate, int seed)
    {
        var random = new Random(seed);
        var a = Enumerable.Range(0, m * k).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray();
        var w = Enumerable.Range(0, n * k).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var bias = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
        var start = accumulate ? Enumerable.Range(0, m * n).Select(_ => (float)random.NextDouble()).ToArray() : new float[m * n];
        var c = Multiply(kernel, a, m, k, w, n, bias, accumulate, (float[])start.Clone());
        c.Should().Equal(Naive(a, m, k, w, n, bias, start), $"{kernel}, M={m} K={k} N={n}, accumulate={accumulate}");
    }

    private static float[] Multiply(Int8Kernel kernel, float[] a, int m, int k, float[] w, int n, float[] bias, bool accumulate, float[]? c = null)
    {
        c ??= new float[m * n];
        var b = QuantizedMatrix.FromLinearWeight(w, n, k, kernel);
        var q = new byte[m * Int8Gemm.Stride(k)];
        var scales = new float[m];
        Int8Gemm.QuantizeRows(a, k, 0, m, k, q, scales);
        Int8Gemm.Multiply(q, scales, 0, m, b, 0, b.Panels, c, n, bias, accumulate);
        return c;
    }

    /// <summary>From the definition, one element at a time; <paramref name="c"/> holds C's start value.</summary>
    private static float[] Naive(float[] a, int m, int k, float[] w, int n, float[] bias, float[] c)
    {
        var (qw, sw) = Quantize(w, n, k, 63);
        var (qa, sa) = Quantize(a, m, k, 127);
        var result = (float[])c.Clone();
        for (var r = 0; r < m; r++)
        {
            for (var j = 0; j < n; j++)
            {
                var sum = 0;
                for (var kk = 0; kk < k; kk++) sum += qa[r * k + kk] * qw[j * k + kk];
                var v = sum * sa[r] * sw[j];
                if (bias.Length > 0) v += bias[j];
                result[r * n + j] += v;
            }
        }
        return result;
    }

    private static (int[] Values, float[] Scales) Quantize(float[] x, int rows, int k, int levels)
    {
        var values = new int[rows * k];
        var scales = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            var max = 0f;
            for (var i = 0; i < k; i++) max = MathF.Max(max, MathF.Abs(x[r * k + i]));
            scales[r] = max / levels;
            var inverse = max == 0 ? 0 : 1 / scales[r];
            for (var i = 0; i < k; i++) values[r * k + i] = Math.Clamp((int)MathF.Round(x[r * k + i] * inverse), -levels, levels);
        }
        return (values, scales);
    }
}
