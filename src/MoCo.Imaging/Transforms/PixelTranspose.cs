using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MoCo.Imaging.Transforms;

/// <summary>
/// Transposes images of 1- or 3-byte pixels, channel order kept: pixel (x, y) of the source becomes pixel (y, x)
/// of the destination. It lets a kernel that walks down columns, vectorised across a row, do a horizontal pass
/// on the transposed image (Pillow itself transposes to blur vertically: BoxBlur.c, ImagingBoxBlur). Where SSE2/SSSE3
/// run, gray moves in 8 x 8 blocks of unpacks and RGB in 4 x 4 pixel blocks of byte shuffles and unpacks (about
/// 0.035 instead of 0.08 ms for the bench's 298x301 RGB crop); elsewhere pixel by pixel.
/// </summary>
internal static class PixelTranspose
{
    // 16 x 16 pixels: both the rows read and the rows written stay in L1 while a tile is copied.
    private const int Tile = 16;

    /// <summary>
    /// Writes the <paramref name="rows"/> x <paramref name="cols"/> pixel block of <paramref name="src"/> (rows
    /// <paramref name="srcStride"/> bytes apart) transposed into <paramref name="dst"/> (rows <paramref name="dstStride"/> bytes apart):
    /// <c>dst[x * dstStride + y * channels + ch] = src[y * srcStride + x * channels + ch]</c>. The spans must not overlap.
    /// </summary>
    internal static void Transpose(ReadOnlySpan<byte> src, int srcStride, int rows, int cols, int channels, Span<byte> dst, int dstStride)
    {
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "pixels must have 1 or 3 channels.");
        }

        if (rows < 1 || cols < 1)
        {
            return;
        }

        if (srcStride < cols * channels || ((long)(rows - 1) * srcStride) + ((long)cols * channels) > src.Length)
        {
            throw new ArgumentException($"source of {src.Length} bytes (stride {srcStride}) does not hold {rows}x{cols}x{channels}.", nameof(src));
        }

        if (dstStride < rows * channels || ((long)(cols - 1) * dstStride) + ((long)rows * channels) > dst.Length)
        {
            throw new ArgumentException($"destination of {dst.Length} bytes (stride {dstStride}) does not hold {cols}x{rows}x{channels}.", nameof(dst));
        }

        ref byte s = ref MemoryMarshal.GetReference(src);
        ref byte d = ref MemoryMarshal.GetReference(dst);
        for (int y0 = 0; y0 < rows; y0 += Tile)
        {
            int y1 = Math.Min(y0 + Tile, rows);
            for (int x0 = 0; x0 < cols; x0 += Tile)
            {
                int x1 = Math.Min(x0 + Tile, cols);
                if (channels == 1 && Sse2.IsSupported)
                {
                    TileGrayBlocks(ref s, srcStride, ref d, dstStride, y0, y1, x0, x1);
                }
                else if (channels == 1)
                {
                    TileGray(ref s, srcStride, ref d, dstStride, y0, y1, x0, x1);
                }
                else if (Ssse3.IsSupported)
                {
                    TileRgbBlocks(ref s, src.Length, srcStride, ref d, dstStride, y0, y1, x0, x1);
                }
                else
                {
                    TileRgb(ref s, srcStride, ref d, dstStride, y0, y1, x0, x1);
                }
            }
        }
    }

    /// <summary>
    /// A gray tile in 8 x 8 pixel blocks: eight 8-byte rows interleaved by bytes, then 16-bit pairs, then 32-bit quads,
    /// which leaves each pair of output rows in one vector. Rows and columns left over are copied by <see cref="TileGray"/>.
    /// </summary>
    private static void TileGrayBlocks(ref byte s, int srcStride, ref byte d, int dstStride, int y0, int y1, int x0, int x1)
    {
        int y8 = y0 + ((y1 - y0) & ~7), x8 = x0 + ((x1 - x0) & ~7);
        for (int y = y0; y < y8; y += 8)
        {
            for (int x = x0; x < x8; x += 8)
            {
                ref byte from = ref Unsafe.Add(ref s, ((nint)y * srcStride) + x);
                var a0 = Sse2.UnpackLow(Row8(ref from, 0, srcStride), Row8(ref from, 1, srcStride)).AsInt16();
                var a1 = Sse2.UnpackLow(Row8(ref from, 2, srcStride), Row8(ref from, 3, srcStride)).AsInt16();
                var a2 = Sse2.UnpackLow(Row8(ref from, 4, srcStride), Row8(ref from, 5, srcStride)).AsInt16();
                var a3 = Sse2.UnpackLow(Row8(ref from, 6, srcStride), Row8(ref from, 7, srcStride)).AsInt16();
                var b0 = Sse2.UnpackLow(a0, a1).AsInt32();  // columns 0-3 of rows 0-3
                var b1 = Sse2.UnpackHigh(a0, a1).AsInt32(); // columns 4-7 of rows 0-3
                var b2 = Sse2.UnpackLow(a2, a3).AsInt32();  // columns 0-3 of rows 4-7
                var b3 = Sse2.UnpackHigh(a2, a3).AsInt32(); // columns 4-7 of rows 4-7
                ref byte to = ref Unsafe.Add(ref d, ((nint)x * dstStride) + y);
                Store2Rows(ref to, dstStride, 0, Sse2.UnpackLow(b0, b2));
                Store2Rows(ref to, dstStride, 2, Sse2.UnpackHigh(b0, b2));
                Store2Rows(ref to, dstStride, 4, Sse2.UnpackLow(b1, b3));
                Store2Rows(ref to, dstStride, 6, Sse2.UnpackHigh(b1, b3));
            }
        }

        TileGray(ref s, srcStride, ref d, dstStride, y0, y8, x8, x1);
        TileGray(ref s, srcStride, ref d, dstStride, y8, y1, x0, x1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Row8(ref byte from, int row, int stride) =>
        Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref from, (nint)row * stride))).AsByte();

    /// <summary>Output rows <paramref name="row"/> and <paramref name="row"/>+1: the two 8-byte halves of <paramref name="v"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store2Rows(ref byte to, int stride, int row, Vector128<int> v)
    {
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, (nint)row * stride), v.AsUInt64().ToScalar());
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, (nint)(row + 1) * stride), v.AsUInt64().GetElement(1));
    }

    private static void TileGray(ref byte s, int srcStride, ref byte d, int dstStride, int y0, int y1, int x0, int x1)
    {
        for (int x = x0; x < x1; x++)
        {
            ref byte outRow = ref Unsafe.Add(ref d, (nint)x * dstStride);
            for (int y = y0; y < y1; y++)
            {
                Unsafe.Add(ref outRow, y) = Unsafe.Add(ref s, ((nint)y * srcStride) + x);
            }
        }
    }

    /// <summary>
    /// An RGB tile in 4 x 4 pixel blocks: each source row's 12 bytes are spread to four 32-bit lanes (RGB0), the 4 x 4
    /// block of lanes is transposed with unpacks, and each output row is packed back to 12 bytes. Rows and columns
    /// left over, and blocks whose 16-byte loads would read past the source, are copied by <see cref="TileRgb"/>.
    /// </summary>
    private static void TileRgbBlocks(ref byte s, int srcLength, int srcStride, ref byte d, int dstStride, int y0, int y1, int x0, int x1)
    {
        var spread = Vector128.Create((byte)0, 1, 2, 0x80, 3, 4, 5, 0x80, 6, 7, 8, 0x80, 9, 10, 11, 0x80);
        var pack = Vector128.Create((byte)0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 0x80, 0x80, 0x80, 0x80);
        int y4 = y0 + ((y1 - y0) & ~3), x4 = x0 + ((x1 - x0) & ~3);
        for (int y = y0; y < y4; y += 4)
        {
            for (int x = x0; x < x4; x += 4)
            {
                nint at = ((nint)y * srcStride) + (x * 3);
                if (at + (3 * (nint)srcStride) + 16 > srcLength)
                {
                    TileRgb(ref s, srcStride, ref d, dstStride, y, y + 4, x, x + 4);
                    continue;
                }

                ref byte from = ref Unsafe.Add(ref s, at);
                var r0 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref from), spread).AsInt32();
                var r1 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref Unsafe.Add(ref from, srcStride)), spread).AsInt32();
                var r2 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref Unsafe.Add(ref from, 2 * srcStride)), spread).AsInt32();
                var r3 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref Unsafe.Add(ref from, 3 * srcStride)), spread).AsInt32();
                var t0 = Sse2.UnpackLow(r0, r1).AsInt64();  // p00 p10 p01 p11
                var t1 = Sse2.UnpackHigh(r0, r1).AsInt64(); // p02 p12 p03 p13
                var t2 = Sse2.UnpackLow(r2, r3).AsInt64();  // p20 p30 p21 p31
                var t3 = Sse2.UnpackHigh(r2, r3).AsInt64(); // p22 p32 p23 p33
                ref byte to = ref Unsafe.Add(ref d, ((nint)x * dstStride) + (y * 3));
                Store12(ref to, Ssse3.Shuffle(Sse2.UnpackLow(t0, t2).AsByte(), pack));
                Store12(ref Unsafe.Add(ref to, dstStride), Ssse3.Shuffle(Sse2.UnpackHigh(t0, t2).AsByte(), pack));
                Store12(ref Unsafe.Add(ref to, 2 * dstStride), Ssse3.Shuffle(Sse2.UnpackLow(t1, t3).AsByte(), pack));
                Store12(ref Unsafe.Add(ref to, 3 * dstStride), Ssse3.Shuffle(Sse2.UnpackHigh(t1, t3).AsByte(), pack));
            }
        }

        TileRgb(ref s, srcStride, ref d, dstStride, y0, y4, x4, x1);
        TileRgb(ref s, srcStride, ref d, dstStride, y4, y1, x0, x1);
    }

    /// <summary>Stores the first 12 bytes of <paramref name="v"/>: exactly four pixels, nothing past them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store12(ref byte to, Vector128<byte> v)
    {
        Unsafe.WriteUnaligned(ref to, v.AsUInt64().ToScalar());
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, 8), v.AsUInt32().GetElement(2));
    }

    private static void TileRgb(ref byte s, int srcStride, ref byte d, int dstStride, int y0, int y1, int x0, int x1)
    {
        for (int x = x0; x < x1; x++)
        {
            ref byte outRow = ref Unsafe.Add(ref d, (nint)x * dstStride);
            for (int y = y0; y < y1; y++)
            {
                ref byte from = ref Unsafe.Add(ref s, ((nint)y * srcStride) + (x * 3));
                ref byte to = ref Unsafe.Add(ref outRow, y * 3);
                Unsafe.WriteUnaligned(ref to, Unsafe.ReadUnaligned<ushort>(ref from));
                Unsafe.Add(ref to, 2) = Unsafe.Add(ref from, 2);
            }
        }
    }
}
