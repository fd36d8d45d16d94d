using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MoCo.Imaging.Transforms;

/// <summary>
/// Transposes images of 1- or 3-byte pixels, channel order kept: pixel (x, y) of the source becomes pixel (y, x)
/// of the destination. It lets a kernel that walks down columns, vectorised across a row, do a horizontal pass
/// on the transposed image (Pillow itself transposes to blur vertically: BoxBlur.c, ImagingBoxBlur).
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
                if (channels == 1)
                {
                    TileGray(ref s, srcStride, ref d, dstStride, y0, y1, x0, x1);
                }
                else
                {
                    TileRgb(ref s, srcStride, ref d, dstStride, y0, y1, x0, x1);
                }
            }
        }
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
