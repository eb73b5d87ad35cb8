using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Quarry.Models.Local.Inference;

/// <summary>The element-wise and row-wise operations of a BERT layer, vectorized.</summary>
internal static class Activations
{
    // Abramowitz & Stegun 7.1.26: |error| ≤ 1.5e-7 in erf, far below float32 resolution of GELU's output scale.
    private const float P = 0.3275911f;
    private const float A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f, A5 = 1.061405429f;
    private const float InvSqrt2 = 0.70710678118654752f;

    /// <summary>Exact (erf) GELU, PyTorch's default <c>nn.GELU()</c> and BERT's "gelu": x·½(1 + erf(x/√2)).</summary>
    public static void Gelu(Span<float> x)
    {
        var i = 0;
        var one = Vector256.Create(1f);
        for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var v = Vector256.Create((ReadOnlySpan<float>)x.Slice(i, Vector256<float>.Count));
            var z = Vector256.Abs(v) * InvSqrt2;
            var t = one / (one + P * z);
            var poly = t * (Vector256.Create(A1) + t * (Vector256.Create(A2) + t * (Vector256.Create(A3) + t * (Vector256.Create(A4) + t * A5))));
            var erf = one - poly * Vector256.Exp(-(z * z));
            erf = Vector256.ConditionalSelect(Vector256.LessThan(v, Vector256<float>.Zero), -erf, erf);
            (0.5f * v * (one + erf)).CopyTo(x.Slice(i, Vector256<float>.Count));
        }
        for (; i < x.Length; i++) x[i] = 0.5f * x[i] * (1f + Erf(x[i] * InvSqrt2));
    }

    /// <summary>The tanh approximation ("gelu_new", "gelu_pytorch_tanh").</summary>
    public static void GeluTanh(Span<float> x)
    {
        for (var i = 0; i < x.Length; i++)
        {
            var v = x[i];
            x[i] = 0.5f * v * (1f + MathF.Tanh(0.7978845608f * (v + 0.044715f * v * v * v)));
        }
    }

    public static void Relu(Span<float> x) => TensorPrimitives.Max(x, 0f, x);

    internal static float Erf(float x)
    {
        var z = MathF.Abs(x);
        var t = 1f / (1f + P * z);
        var poly = t * (A1 + t * (A2 + t * (A3 + t * (A4 + t * A5))));
        var erf = 1f - poly * MathF.Exp(-z * z);
        return x < 0 ? -erf : erf;
    }

    /// <summary>LayerNorm over one row in place: (x − mean) / √(var + eps) · γ + β, population variance.</summary>
    public static void LayerNorm(Span<float> row, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float epsilon)
    {
        var mean = TensorPrimitives.Sum<float>(row) / row.Length;
        TensorPrimitives.Subtract(row, mean, row);
        var variance = TensorPrimitives.SumOfSquares<float>(row) / row.Length;
        TensorPrimitives.Multiply(row, 1f / MathF.Sqrt(variance + epsilon), row);
        TensorPrimitives.FusedMultiplyAdd(row, gamma, beta, row);
    }

    /// <summary>Softmax in place, shifted by the maximum so that large scores cannot overflow.</summary>
    public static void Softmax(Span<float> row)
    {
        var max = TensorPrimitives.Max<float>(row);
        TensorPrimitives.Subtract(row, max, row);
        TensorPrimitives.Exp(row, row);
        TensorPrimitives.Multiply(row, 1f / TensorPrimitives.Sum<float>(row), row);
    }
}
