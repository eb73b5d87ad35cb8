namespace Quarry.Models.Local.Inference;

/// <summary>One dense layer's weight, packed for the float32 or the int8 multiply (only the one used is kept).</summary>
internal sealed class LinearWeight
{
    private LinearWeight(PackedMatrix? single, QuantizedMatrix? quantized)
    {
        Single = single;
        Quantized = quantized;
    }

    public PackedMatrix? Single { get; }

    public QuantizedMatrix? Quantized { get; }

    public int Panels => Single?.Panels ?? Quantized!.Panels;

    /// <summary>From a PyTorch <c>nn.Linear</c> weight ([out = N, in = K], row-major).</summary>
    public static LinearWeight Create(ReadOnlySpan<float> weight, int n, int k, ModelPrecision precision) =>
        precision == ModelPrecision.Int8
            ? new LinearWeight(null, QuantizedMatrix.FromLinearWeight(weight, n, k, Int8Gemm.Best))
            : new LinearWeight(PackedMatrix.FromLinearWeight(weight, n, k), null);
}
