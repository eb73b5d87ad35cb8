using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Quarry.Models.Local.Inference;

/// <summary>
/// Single-precision matrix multiply C = A·B (+ bias) (+ C) for a row-major A and a panel-packed B, BLIS-style: a
/// register-blocked micro-kernel of <see cref="MicroRows"/> rows × one panel keeps its accumulators in vector
/// registers (12 of them) and does one fused multiply-add per loaded element; a block of rows is swept over every
/// panel so that a panel stays in cache while the rows that use it stream past. With AVX-512 a panel is 32 columns
/// (two 512-bit registers per row), otherwise 16 (two 256-bit registers).
/// </summary>
internal static unsafe class Gemm
{
    public const int MicroRows = 6;

    /// <summary>Rows per cache block: a multiple of <see cref="MicroRows"/>.</summary>
    public const int BlockRows = 48;

    public static readonly int PanelWidth = Vector512.IsHardwareAccelerated ? 32 : 16;

    public static int PanelCount(int n) => (n + PanelWidth - 1) / PanelWidth;

    /// <summary>Packs a [N, K] row-major source (stride <paramref name="ld"/>) as the K×N right-hand operand, i.e. Bᵀ.</summary>
    public static void PackTransposed(ReadOnlySpan<float> source, int ld, int k, int n, Span<float> destination)
    {
        var width = PanelWidth;
        var panels = PanelCount(n);
        for (var p = 0; p < panels; p++)
        {
            var panel = destination.Slice(p * k * width, k * width);
            for (var j = 0; j < width; j++)
            {
                var column = p * width + j;
                if (column >= n)
                {
                    for (var kk = 0; kk < k; kk++) panel[kk * width + j] = 0;
                    continue;
                }
                var row = source.Slice(column * ld, k);
                for (var kk = 0; kk < k; kk++) panel[kk * width + j] = row[kk];
            }
        }
    }

    /// <summary>Packs a [K, N] row-major source (stride <paramref name="ld"/>) as the K×N right-hand operand.</summary>
    public static void PackRows(ReadOnlySpan<float> source, int ld, int k, int n, Span<float> destination)
    {
        var width = PanelWidth;
        var panels = PanelCount(n);
        for (var p = 0; p < panels; p++)
        {
            var panel = destination.Slice(p * k * width, k * width);
            var columns = Math.Min(width, n - p * width);
            for (var kk = 0; kk < k; kk++)
            {
                var target = panel.Slice(kk * width, width);
                source.Slice(kk * ld + p * width, columns).CopyTo(target);
                if (columns < width) target[columns..].Clear();
            }
        }
    }

    /// <summary>
    /// C[rows, panels] = A[rows, 0..K) · B (+ bias) (+ C when <paramref name="accumulate"/>) for rows
    /// [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) and panels [<paramref name="panelStart"/>,
    /// <paramref name="panelEnd"/>). Columns past <paramref name="n"/> are not written.
    /// </summary>
    public static void Multiply(
        ReadOnlySpan<float> a, int lda, int rowStart, int rowEnd, int k,
        ReadOnlySpan<float> b, int n, int panelStart, int panelEnd,
        Span<float> c, int ldc, ReadOnlySpan<float> bias, bool accumulate)
    {
        if (rowEnd <= rowStart || panelEnd <= panelStart) return;
        var width = PanelWidth;
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        fixed (float* pbias = bias)
        {
            var tile = stackalloc float[MicroRows * 32];
            var edgeBias = stackalloc float[32];
            for (var block = rowStart; block < rowEnd; block += BlockRows)
            {
                var blockEnd = Math.Min(rowEnd, block + BlockRows);
                for (var p = panelStart; p < panelEnd; p++)
                {
                    var panel = pb + (long)p * k * width;
                    var column = p * width;
                    var columns = Math.Min(width, n - column);
                    var panelBias = bias.IsEmpty ? null : pbias + column;
                    for (var row = block; row < blockEnd; row += MicroRows)
                    {
                        var rows = Math.Min(MicroRows, blockEnd - row);
                        var aRow = pa + (long)row * lda;
                        var cRow = pc + (long)row * ldc + column;
                        if (columns == width && rows == MicroRows)
                        {
                            Kernel(aRow, lda, panel, k, cRow, ldc, panelBias, accumulate);
                            continue;
                        }
                        // Edge tile: compute a full tile into scratch, copy out what exists.
                        for (var r = 0; r < rows; r++)
                        {
                            for (var j = 0; j < width; j++)
                                tile[r * width + j] = accumulate && j < columns ? cRow[(long)r * ldc + j] : 0;
                        }
                        for (var j = 0; j < width; j++) edgeBias[j] = panelBias is not null && j < columns ? panelBias[j] : 0;
                        for (var r = 0; r < rows; r++)
                            KernelRow(aRow + (long)r * lda, panel, k, tile + r * width, edgeBias);
                        for (var r = 0; r < rows; r++)
                        {
                            for (var j = 0; j < columns; j++) cRow[(long)r * ldc + j] = tile[r * width + j];
                        }
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel(float* a, int lda, float* b, int k, float* c, int ldc, float* bias, bool accumulate)
    {
        if (Vector512.IsHardwareAccelerated) Kernel512(a, lda, b, k, c, ldc, bias, accumulate);
        else Kernel256(a, lda, b, k, c, ldc, bias, accumulate);
    }

    /// <summary>One row of a tile (edges only): c[0..width) += a·panel + bias, c already holding its start value.</summary>
    private static void KernelRow(float* a, float* b, int k, float* c, float* bias)
    {
        var width = PanelWidth;
        for (var j = 0; j < width; j += 8)
        {
            var acc = Vector256.Load(c + j) + Vector256.Load(bias + j);
            for (var kk = 0; kk < k; kk++)
                acc = Vector256.MultiplyAddEstimate(Vector256.Create(a[kk]), Vector256.Load(b + (long)kk * width + j), acc);
            acc.Store(c + j);
        }
    }

    private static void Kernel256(float* a, int lda, float* b, int k, float* c, int ldc, float* bias, bool accumulate)
    {
        Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (bias is not null)
        {
            var b0 = Vector256.Load(bias);
            var b1 = Vector256.Load(bias + 8);
            c00 = c10 = c20 = c30 = c40 = c50 = b0;
            c01 = c11 = c21 = c31 = c41 = c51 = b1;
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<float>.Zero;
        }
        if (accumulate)
        {
            c00 += Vector256.Load(c); c01 += Vector256.Load(c + 8);
            c10 += Vector256.Load(c + ldc); c11 += Vector256.Load(c + ldc + 8);
            c20 += Vector256.Load(c + 2 * ldc); c21 += Vector256.Load(c + 2 * ldc + 8);
            c30 += Vector256.Load(c + 3 * ldc); c31 += Vector256.Load(c + 3 * ldc + 8);
            c40 += Vector256.Load(c + 4 * ldc); c41 += Vector256.Load(c + 4 * ldc + 8);
            c50 += Vector256.Load(c + 5 * ldc); c51 += Vector256.Load(c + 5 * ldc + 8);
        }
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, a4 = a + 4 * lda, a5 = a + 5 * lda;
        for (var kk = 0; kk < k; kk++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            b += 16;
            var x = Vector256.Create(a0[kk]);
            c00 = Vector256.MultiplyAddEstimate(x, b0, c00); c01 = Vector256.MultiplyAddEstimate(x, b1, c01);
            x = Vector256.Create(a1[kk]);
            c10 = Vector256.MultiplyAddEstimate(x, b0, c10); c11 = Vector256.MultiplyAddEstimate(x, b1, c11);
            x = Vector256.Create(a2[kk]);
            c20 = Vector256.MultiplyAddEstimate(x, b0, c20); c21 = Vector256.MultiplyAddEstimate(x, b1, c21);
            x = Vector256.Create(a3[kk]);
            c30 = Vector256.MultiplyAddEstimate(x, b0, c30); c31 = Vector256.MultiplyAddEstimate(x, b1, c31);
            x = Vector256.Create(a4[kk]);
            c40 = Vector256.MultiplyAddEstimate(x, b0, c40); c41 = Vector256.MultiplyAddEstimate(x, b1, c41);
            x = Vector256.Create(a5[kk]);
            c50 = Vector256.MultiplyAddEstimate(x, b0, c50); c51 = Vector256.MultiplyAddEstimate(x, b1, c51);
        }
        c00.Store(c); c01.Store(c + 8);
        c10.Store(c + ldc); c11.Store(c + ldc + 8);
        c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 8);
        c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 8);
        c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 8);
        c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 8);
    }

    private static void Kernel512(float* a, int lda, float* b, int k, float* c, int ldc, float* bias, bool accumulate)
    {
        Vector512<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (bias is not null)
        {
            var b0 = Vector512.Load(bias);
            var b1 = Vector512.Load(bias + 16);
            c00 = c10 = c20 = c30 = c40 = c50 = b0;
            c01 = c11 = c21 = c31 = c41 = c51 = b1;
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector512<float>.Zero;
        }
        if (accumulate)
        {
            c00 += Vector512.Load(c); c01 += Vector512.Load(c + 16);
            c10 += Vector512.Load(c + ldc); c11 += Vector512.Load(c + ldc + 16);
            c20 += Vector512.Load(c + 2 * ldc); c21 += Vector512.Load(c + 2 * ldc + 16);
            c30 += Vector512.Load(c + 3 * ldc); c31 += Vector512.Load(c + 3 * ldc + 16);
            c40 += Vector512.Load(c + 4 * ldc); c41 += Vector512.Load(c + 4 * ldc + 16);
            c50 += Vector512.Load(c + 5 * ldc); c51 += Vector512.Load(c + 5 * ldc + 16);
        }
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, a4 = a + 4 * lda, a5 = a + 5 * lda;
        for (var kk = 0; kk < k; kk++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            b += 32;
            var x = Vector512.Create(a0[kk]);
            c00 = Vector512.MultiplyAddEstimate(x, b0, c00); c01 = Vector512.MultiplyAddEstimate(x, b1, c01);
            x = Vector512.Create(a1[kk]);
            c10 = Vector512.MultiplyAddEstimate(x, b0, c10); c11 = Vector512.MultiplyAddEstimate(x, b1, c11);
            x = Vector512.Create(a2[kk]);
            c20 = Vector512.MultiplyAddEstimate(x, b0, c20); c21 = Vector512.MultiplyAddEstimate(x, b1, c21);
            x = Vector512.Create(a3[kk]);
            c30 = Vector512.MultiplyAddEstimate(x, b0, c30); c31 = Vector512.MultiplyAddEstimate(x, b1, c31);
            x = Vector512.Create(a4[kk]);
            c40 = Vector512.MultiplyAddEstimate(x, b0, c40); c41 = Vector512.MultiplyAddEstimate(x, b1, c41);
            x = Vector512.Create(a5[kk]);
            c50 = Vector512.MultiplyAddEstimate(x, b0, c50); c51 = Vector512.MultiplyAddEstimate(x, b1, c51);
        }
        c00.Store(c); c01.Store(c + 16);
        c10.Store(c + ldc); c11.Store(c + ldc + 16);
        c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 16);
        c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 16);
        c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 16);
        c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 16);
    }
}
