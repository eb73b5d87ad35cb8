using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Quarry.Models.Local.Inference;

/// <summary>How <see cref="Int8Gemm"/> forms its dot products; all give the same integers.</summary>
internal enum Int8Kernel
{
    Scalar,

    /// <summary>256-bit <c>vpmaddubsw</c> (u8·s8 pairs) then <c>vpmaddwd</c> by ones (pairs of pairs): 16 columns a panel.</summary>
    Avx2,

    /// <summary>The same with 512-bit registers (AVX-512BW): 32 columns a panel.</summary>
    Avx512,
}

/// <summary>
/// C ≈ A·B (+ bias) (+ C) with B quantized per output column (<see cref="QuantizedMatrix"/>) and A quantized per row
/// as it comes (<see cref="QuantizeRows"/>): integer dot products, then one scale per row and column. The blocking is
/// <see cref="Gemm"/>'s: a micro-kernel of <see cref="Gemm.MicroRows"/> rows × one panel keeps 12 integer
/// accumulators in registers and consumes four k per step.
/// </summary>
/// <remarks>
/// .NET 10 exposes no AVX-512 VNNI (<c>vpdpbusd</c> is reachable only through <c>AvxVnni</c>, which needs the separate
/// AVX-VNNI CPU flag), so the vector kernels use the two-instruction multiply-add pair that VNNI fuses.
/// </remarks>
internal static unsafe class Int8Gemm
{
    /// <summary>The fastest kernel this machine runs (settable for benchmarks comparing kernels).</summary>
    public static Int8Kernel Best { get; internal set; } =
        IsSupported(Int8Kernel.Avx512) ? Int8Kernel.Avx512 : IsSupported(Int8Kernel.Avx2) ? Int8Kernel.Avx2 : Int8Kernel.Scalar;

    public static bool IsSupported(Int8Kernel kernel) => kernel switch
    {
        Int8Kernel.Avx512 => Avx512BW.IsSupported && Vector512.IsHardwareAccelerated,
        Int8Kernel.Avx2 => Avx2.IsSupported,
        _ => true,
    };

    public static int PanelWidthOf(Int8Kernel kernel) => kernel == Int8Kernel.Avx512 ? 32 : 16;

    /// <summary>Row stride of quantized activations for K inputs: K rounded up to whole groups of four.</summary>
    public static int Stride(int k) => (k + 3) / 4 * 4;

    /// <summary>
    /// Quantizes rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) of A symmetrically, each by its own
    /// largest magnitude: q = round(x / s) with s = max|x| / 127, stored as q + 128 (so in [1, 255]); the padding past K
    /// holds 128 (zero).
    /// </summary>
    public static void QuantizeRows(ReadOnlySpan<float> a, int lda, int rowStart, int rowEnd, int k, Span<byte> q, Span<float> scales)
    {
        var ldq = Stride(k);
        for (var r = rowStart; r < rowEnd; r++)
        {
            var row = a.Slice(r * lda, k);
            var max = System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(row);
            var scale = MathF.Abs(max) / 127;
            scales[r] = scale;
            var inverse = scale == 0 ? 0 : 1 / scale;
            var target = q.Slice(r * ldq, ldq);
            var i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var vinv = Vector256.Create(inverse);
                var offset = Vector256.Create(128);
                for (; i <= k - 32; i += 32)
                {
                    var x0 = Vector256.ConvertToInt32(Vector256.Round(Vector256.Create(row.Slice(i, 8)) * vinv)) + offset;
                    var x1 = Vector256.ConvertToInt32(Vector256.Round(Vector256.Create(row.Slice(i + 8, 8)) * vinv)) + offset;
                    var x2 = Vector256.ConvertToInt32(Vector256.Round(Vector256.Create(row.Slice(i + 16, 8)) * vinv)) + offset;
                    var x3 = Vector256.ConvertToInt32(Vector256.Round(Vector256.Create(row.Slice(i + 24, 8)) * vinv)) + offset;
                    var bytes = Vector256.Narrow(Vector256.Narrow(x0, x1).AsUInt16(), Vector256.Narrow(x2, x3).AsUInt16());
                    bytes.CopyTo(target.Slice(i, 32));
                }
            }
            for (; i < k; i++) target[i] = (byte)((int)MathF.Round(row[i] * inverse) + 128);
            target[k..].Fill(128);
        }
    }

    /// <summary>
    /// C[rows, panels] from quantized rows (<paramref name="q"/>, <paramref name="rowScales"/>) and panels
    /// [<paramref name="panelStart"/>, <paramref name="panelEnd"/>) of <paramref name="b"/>; columns past N are not written.
    /// </summary>
    public static void Multiply(ReadOnlySpan<byte> q, ReadOnlySpan<float> rowScales, int rowStart, int rowEnd,
        QuantizedMatrix b, int panelStart, int panelEnd, Span<float> c, int ldc, ReadOnlySpan<float> bias, bool accumulate)
    {
        if (rowEnd <= rowStart || panelEnd <= panelStart) return;
        var width = b.PanelWidth;
        var ldq = b.Groups * 4;
        fixed (byte* pq = q)
        fixed (sbyte* pb = b.Data)
        fixed (float* pc = c)
        fixed (float* pbias = bias)
        fixed (float* pscales = b.Scales)
        fixed (int* poffsets = b.Offsets)
        fixed (float* prow = rowScales)
        {
            var tile = stackalloc int[Gemm.MicroRows * 32];
            for (var block = rowStart; block < rowEnd; block += Gemm.BlockRows)
            {
                var blockEnd = Math.Min(rowEnd, block + Gemm.BlockRows);
                for (var p = panelStart; p < panelEnd; p++)
                {
                    var panel = pb + (long)p * b.Groups * width * 4;
                    var column = p * width;
                    var columns = Math.Min(width, b.N - column);
                    for (var row = block; row < blockEnd; row += Gemm.MicroRows)
                    {
                        var rows = Math.Min(Gemm.MicroRows, blockEnd - row);
                        Dot(b.Kernel, pq + (long)row * ldq, ldq, rows, panel, b.Groups, tile);
                        Dequantize(tile, width, rows, columns, prow + row, pscales + column, poffsets + column,
                            pbias is null || bias.IsEmpty ? null : pbias + column, pc + (long)row * ldc + column, ldc, accumulate);
                    }
                }
            }
        }
    }

    /// <summary>tile[r, j] = Σ a[r, k]·panel[k, j] over all groups, for <paramref name="rows"/> ≤ 6 rows (the exact sums
    /// of unsigned activation bytes and signed weights).</summary>
    internal static void Dot(Int8Kernel kernel, byte* a, int lda, int rows, sbyte* panel, int groups, int* tile)
    {
        // Missing rows of an edge tile re-read the first row; their sums are not used.
        var a0 = a;
        var a1 = rows > 1 ? a + lda : a0;
        var a2 = rows > 2 ? a + 2 * lda : a0;
        var a3 = rows > 3 ? a + 3 * lda : a0;
        var a4 = rows > 4 ? a + 4 * lda : a0;
        var a5 = rows > 5 ? a + 5 * lda : a0;
        switch (kernel)
        {
            case Int8Kernel.Avx512: Dot512(a0, a1, a2, a3, a4, a5, panel, groups, tile); break;
            case Int8Kernel.Avx2: Dot256(a0, a1, a2, a3, a4, a5, panel, groups, tile); break;
            default: DotScalar(a, lda, rows, panel, groups, tile); break;
        }
    }

    private static void DotScalar(byte* a, int lda, int rows, sbyte* panel, int groups, int* tile)
    {
        const int Width = 16;
        for (var r = 0; r < rows; r++)
        {
            var row = a + (long)r * lda;
            for (var j = 0; j < Width; j++)
            {
                var sum = 0;
                for (var g = 0; g < groups; g++)
                {
                    var w = panel + ((long)g * Width + j) * 4;
                    var x = row + g * 4;
                    sum += x[0] * w[0] + x[1] * w[1] + x[2] * w[2] + x[3] * w[3];
                }
                tile[r * Width + j] = sum;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot256(byte* a0, byte* a1, byte* a2, byte* a3, byte* a4, byte* a5, sbyte* b, int groups, int* tile)
    {
        var ones = Vector256.Create((short)1);
        Vector256<int> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<int>.Zero;
        for (var g = 0; g < groups * 4; g += 4)
        {
            var w0 = Vector256.Load(b);
            var w1 = Vector256.Load(b + 32);
            b += 64;
            var x = Vector256.Create(*(int*)(a0 + g)).AsByte();
            c00 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w0), ones); c01 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w1), ones);
            x = Vector256.Create(*(int*)(a1 + g)).AsByte();
            c10 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w0), ones); c11 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w1), ones);
            x = Vector256.Create(*(int*)(a2 + g)).AsByte();
            c20 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w0), ones); c21 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w1), ones);
            x = Vector256.Create(*(int*)(a3 + g)).AsByte();
            c30 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w0), ones); c31 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w1), ones);
            x = Vector256.Create(*(int*)(a4 + g)).AsByte();
            c40 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w0), ones); c41 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w1), ones);
            x = Vector256.Create(*(int*)(a5 + g)).AsByte();
            c50 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w0), ones); c51 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w1), ones);
        }
        c00.Store(tile); c01.Store(tile + 8);
        c10.Store(tile + 16); c11.Store(tile + 24);
        c20.Store(tile + 32); c21.Store(tile + 40);
        c30.Store(tile + 48); c31.Store(tile + 56);
        c40.Store(tile + 64); c41.Store(tile + 72);
        c50.Store(tile + 80); c51.Store(tile + 88);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot512(byte* a0, byte* a1, byte* a2, byte* a3, byte* a4, byte* a5, sbyte* b, int groups, int* tile)
    {
        var ones = Vector512.Create((short)1);
        Vector512<int> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector512<int>.Zero;
        for (var g = 0; g < groups * 4; g += 4)
        {
            var w0 = Vector512.Load(b);
            var w1 = Vector512.Load(b + 64);
            b += 128;
            var x = Vector512.Create(*(int*)(a0 + g)).AsByte();
            c00 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, w0), ones); c01 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, w1), ones);
            x = Vector512.Create(*(int*)(a1 + g)).AsByte();
            c10 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, w0), ones); c11 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, w1), ones);
            x = Vector512.Create(*(int*)(a2 + g)).AsByte();
            c20 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, w0), ones); c21 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, w1), ones);
            x = Vector512.Create(*(int*)(a3 + g)).AsByte();
            c30 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, w0), ones); c31 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, w1), ones);
            x = Vector512.Create(*(int*)(a4 + g)).AsByte();
            c40 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, w0), ones); c41 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, w1), ones);
            x = Vector512.Create(*(int*)(a5 + g)).AsByte();
            c50 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, w0), ones); c51 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, w1), ones);
        }
        c00.Store(tile); c01.Store(tile + 16);
        c10.Store(tile + 32); c11.Store(tile + 48);
        c20.Store(tile + 64); c21.Store(tile + 80);
        c30.Store(tile + 96); c31.Store(tile + 112);
        c40.Store(tile + 128); c41.Store(tile + 144);
        c50.Store(tile + 160); c51.Store(tile + 176);
    }

    /// <summary>c = (tile − offset)·rowScale·columnScale + bias (+ c), for the tile's real rows and columns.</summary>
    private static void Dequantize(int* tile, int width, int rows, int columns, float* rowScales, float* scales, int* offsets,
        float* bias, float* c, int ldc, bool accumulate)
    {
        for (var r = 0; r < rows; r++)
        {
            var target = c + (long)r * ldc;
            var sums = tile + r * width;
            var rowScale = rowScales[r];
            var j = 0;
            if (columns == width)
            {
                var vs = Vector256.Create(rowScale);
                for (; j < width; j += 8)
                {
                    var v = Vector256.ConvertToSingle(Vector256.Load(sums + j) - Vector256.Load(offsets + j)) * vs * Vector256.Load(scales + j);
                    if (bias is not null) v += Vector256.Load(bias + j);
                    if (accumulate) v += Vector256.Load(target + j);
                    v.Store(target + j);
                }
            }
            for (; j < columns; j++)
            {
                var v = (sums[j] - offsets[j]) * rowScale * scales[j];
                if (bias is not null) v += bias[j];
                target[j] = accumulate ? target[j] + v : v;
            }
        }
    }
}
