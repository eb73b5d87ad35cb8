namespace Quarry.Models.Local.Inference;

/// <summary>
/// The right-hand operand of <see cref="Gemm"/>, a K×N matrix stored as panels of <see cref="Gemm.PanelWidth"/>
/// columns, each panel K rows of contiguous floats (zero-padded past N). The micro-kernel then streams one panel
/// front to back with one or two vector loads per k.
/// </summary>
internal sealed class PackedMatrix
{
    public PackedMatrix(int k, int n)
    {
        K = k;
        N = n;
        Panels = Gemm.PanelCount(n);
        Data = new float[(long)Panels * k * Gemm.PanelWidth];
    }

    public int K { get; }

    public int N { get; }

    public int Panels { get; }

    public float[] Data { get; }

    /// <summary>Packs a PyTorch <c>nn.Linear</c> weight ([out = N, in = K], row-major) so that y = x·Wᵀ.</summary>
    public static PackedMatrix FromLinearWeight(ReadOnlySpan<float> weight, int n, int k)
    {
        if (weight.Length != (long)n * k) throw new ArgumentException($"Expected {n}×{k} weights, got {weight.Length}.", nameof(weight));
        var packed = new PackedMatrix(k, n);
        Gemm.PackTransposed(weight, k, k, n, packed.Data);
        return packed;
    }
}
