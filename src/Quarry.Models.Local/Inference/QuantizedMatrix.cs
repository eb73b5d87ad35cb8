namespace Quarry.Models.Local.Inference;

/// <summary>
/// The right-hand operand of <see cref="Int8Gemm"/>: a K×N weight matrix as signed 7-bit integers with one scale per
/// output column (symmetric, per output channel). Stored in panels of <see cref="PanelWidth"/> columns; inside a panel,
/// for each group of four k, each column's four weights are adjacent: the layout a multiply-add of adjacent byte
/// pairs (and a VNNI dot product of four) consumes with one broadcast of four activation bytes per row.
/// </summary>
/// <remarks>
/// Weights use [-63, 63], not [-127, 127]: with activations in [1, 255] (offset by 128) a pair of products then stays
/// within a signed 16-bit lane (2·255·63 = 32,130), so the 8-bit multiply-add of AVX2 and AVX-512BW never saturates
/// and every kernel returns the exact integer sum — the same vectors on every machine.
/// </remarks>
internal sealed class QuantizedMatrix
{
    public const int MaxWeight = 63;

    public QuantizedMatrix(int k, int n, Int8Kernel kernel)
    {
        K = k;
        N = n;
        Kernel = kernel;
        PanelWidth = Int8Gemm.PanelWidthOf(kernel);
        Groups = (k + 3) / 4;
        Panels = (n + PanelWidth - 1) / PanelWidth;
        Data = new sbyte[(long)Panels * Groups * PanelWidth * 4];
        Scales = new float[Panels * PanelWidth];
        Offsets = new int[Panels * PanelWidth];
    }

    public int K { get; }

    public int N { get; }

    public Int8Kernel Kernel { get; }

    public int PanelWidth { get; }

    /// <summary>K in groups of four (K is zero-padded to a multiple of four).</summary>
    public int Groups { get; }

    public int Panels { get; }

    public sbyte[] Data { get; }

    /// <summary>Per column: a weight is <c>q · scale</c>.</summary>
    public float[] Scales { get; }

    /// <summary>Per column: 128 × Σ q, what the activations' +128 offset adds to each dot product.</summary>
    public int[] Offsets { get; }

    /// <summary>Quantizes a PyTorch <c>nn.Linear</c> weight ([out = N, in = K], row-major) so that y ≈ x·Wᵀ.</summary>
    public static QuantizedMatrix FromLinearWeight(ReadOnlySpan<float> weight, int n, int k, Int8Kernel kernel)
    {
        if (weight.Length != (long)n * k) throw new ArgumentException($"Expected {n}×{k} weights, got {weight.Length}.", nameof(weight));
        var matrix = new QuantizedMatrix(k, n, kernel);
        var width = matrix.PanelWidth;
        for (var column = 0; column < n; column++)
        {
            var row = weight.Slice(column * k, k);
            var max = 0f;
            foreach (var w in row) max = MathF.Max(max, MathF.Abs(w));
            var scale = max / MaxWeight;
            var inverse = scale == 0 ? 0 : 1 / scale;
            var panel = column / width;
            var j = column % width;
            var sum = 0;
            for (var kk = 0; kk < k; kk++)
            {
                var q = (sbyte)Math.Clamp((int)MathF.Round(row[kk] * inverse), -MaxWeight, MaxWeight);
                matrix.Data[(((long)panel * matrix.Groups + kk / 4) * width + j) * 4 + kk % 4] = q;
                sum += q;
            }
            matrix.Scales[column] = scale;
            matrix.Offsets[column] = 128 * sum;
        }
        return matrix;
    }
}
