using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Quarry.Indexing.Vectors;

internal static class VectorMath
{
    /// <summary>Writes the L2-normalized vector into <paramref name="destination"/>; false for a zero vector.</summary>
    public static bool TryNormalize(ReadOnlySpan<float> source, Span<float> destination)
    {
        var norm = TensorPrimitives.Norm(source);
        if (norm == 0 || !float.IsFinite(norm))
        {
            destination.Clear();
            return false;
        }
        TensorPrimitives.Divide(source, norm, destination);
        return true;
    }

    /// <summary>Symmetric int8 quantization with one scale per vector: x ≈ scale × q, q in [-127, 127].</summary>
    public static float Quantize(ReadOnlySpan<float> source, Span<sbyte> destination)
    {
        var maxAbs = TensorPrimitives.MaxMagnitude(source);
        maxAbs = Math.Abs(maxAbs);
        if (maxAbs == 0)
        {
            destination.Clear();
            return 0;
        }
        var scale = maxAbs / 127f;
        var inverse = 1f / scale;
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = (sbyte)Math.Clamp(MathF.Round(source[i] * inverse), -127f, 127f);
        }
        return scale;
    }

    /// <summary>Exact integer dot product of two int8 vectors (|q| ≤ 127, so no 16-bit product overflows).</summary>
    public static int DotInt8(ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b)
    {
        if (a.Length != b.Length) throw new ArgumentException("Vectors differ in length.", nameof(b));
        var i = 0;
        var sum = 0;
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        if (Avx2.IsSupported && a.Length >= Vector256<sbyte>.Count)
        {
            var acc = Vector256<int>.Zero;
            for (; i <= a.Length - Vector256<sbyte>.Count; i += Vector256<sbyte>.Count)
            {
                var va = Vector256.LoadUnsafe(ref ra, (nuint)i);
                var vb = Vector256.LoadUnsafe(ref rb, (nuint)i);
                var (aLow, aHigh) = Vector256.Widen(va);
                var (bLow, bHigh) = Vector256.Widen(vb);
                acc += Avx2.MultiplyAddAdjacent(aLow, bLow) + Avx2.MultiplyAddAdjacent(aHigh, bHigh);
            }
            sum = Vector256.Sum(acc);
        }
        else if (Vector128.IsHardwareAccelerated && a.Length >= Vector128<sbyte>.Count)
        {
            var acc = Vector128<int>.Zero;
            for (; i <= a.Length - Vector128<sbyte>.Count; i += Vector128<sbyte>.Count)
            {
                var (aLow, aHigh) = Vector128.Widen(Vector128.LoadUnsafe(ref ra, (nuint)i));
                var (bLow, bHigh) = Vector128.Widen(Vector128.LoadUnsafe(ref rb, (nuint)i));
                acc += WidenedProduct(aLow, bLow) + WidenedProduct(aHigh, bHigh);
            }
            sum = Vector128.Sum(acc);
        }
        for (; i < a.Length; i++)
        {
            sum += Unsafe.Add(ref ra, i) * Unsafe.Add(ref rb, i);
        }
        return sum;
    }

    private static Vector128<int> WidenedProduct(Vector128<short> a, Vector128<short> b)
    {
        var (low, high) = Vector128.Widen(a * b);
        return low + high;
    }
}
