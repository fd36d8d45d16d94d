using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MoCo.Imaging.Transforms;

/// <summary>
/// Pillow's antialiased bilinear resize of 8-bit images (libImaging/Resample.c, Pillow 9.4), so
/// results match <c>Image.resize(size, Image.BILINEAR)</c> bit for bit: a triangle filter whose support
/// widens with the downscale factor, weights normalised per output pixel and rounded to 22-bit fixed
/// point, a horizontal pass (rounded to uint8) then a vertical pass.
/// </summary>
/// <remarks>
/// Vectorised, bit-exact: both passes are sums of uint8 x int32 weight products in int32 (no overflow: the weights
/// of an output sum to about 2^22), so any order of summation gives Pillow's integers. The vertical pass computes a
/// whole output row at once, one <c>Vector&lt;int&gt;</c> lane per byte. The horizontal pass is the same kernel run on a
/// transposed copy of the crop (columns as rows), made while reading the box out of the source image, and its
/// result is transposed back for the vertical pass.
/// </remarks>
internal static class PillowResampler
{
    private const int PrecisionBits = 32 - 8 - 2; // Resample.c: PRECISION_BITS for 8 bits per channel

    /// <summary>Resizes all of <paramref name="src"/> (h x w x c, packed rows) into <paramref name="dst"/> (outH x outW x c).</summary>
    internal static void ResizeBilinear(ReadOnlySpan<byte> src, int width, int height, int channels, Span<byte> dst, int outWidth, int outHeight) =>
        ResizeBilinear(src, width * channels, new CropBox(0, 0, height, width), channels, dst, outWidth, outHeight);

    /// <summary>
    /// Resizes <paramref name="box"/> of <paramref name="src"/> (rows <paramref name="srcStride"/> bytes apart) into
    /// <paramref name="dst"/> (outH x outW x c): torchvision's <c>img.crop(box).resize(size, BILINEAR)</c>, without the crop's copy.
    /// </summary>
    internal static void ResizeBilinear(ReadOnlySpan<byte> src, int srcStride, CropBox box, int channels, Span<byte> dst, int outWidth, int outHeight)
    {
        int c = channels, w = box.Width, h = box.Height, outStride = outWidth * c;
        if (box.Top < 0 || box.Left < 0 || w < 1 || h < 1 || srcStride < (box.Left + w) * c || ((long)(box.Top + h - 1) * srcStride) + ((box.Left + w) * c) > src.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(box), $"{box} does not lie inside the {src.Length}-byte image of stride {srcStride}.");
        }

        if (outWidth < 1 || outHeight < 1 || (long)outStride * outHeight > dst.Length)
        {
            throw new ArgumentException($"destination of {dst.Length} bytes does not hold {outWidth}x{outHeight}x{c}.", nameof(dst));
        }

        // The box's first pixel; its rows stay srcStride apart.
        var origin = src[((box.Top * srcStride) + (box.Left * c))..];
        if (outWidth == w && outHeight == h)
        {
            for (int y = 0; y < h; y++)
            {
                origin.Slice(y * srcStride, outStride).CopyTo(dst.Slice(y * outStride, outStride)); // Pillow returns a copy when the size is unchanged
            }

            return;
        }

        int hK = KernelSize(w, outWidth), vK = KernelSize(h, outHeight);
        int[] coefficients = ArrayPool<int>.Shared.Rent((2 * outWidth) + (outWidth * hK) + (2 * outHeight) + (outHeight * vK));
        byte[]? scratch = null;
        try
        {
            var hBounds = coefficients.AsSpan(0, 2 * outWidth);
            var hWeights = coefficients.AsSpan(hBounds.Length, outWidth * hK);
            var vBounds = coefficients.AsSpan(hBounds.Length + hWeights.Length, 2 * outHeight);
            var vWeights = coefficients.AsSpan(hBounds.Length + hWeights.Length + vBounds.Length, outHeight * vK);
            Coefficients(w, outWidth, hBounds, hWeights, hK);
            Coefficients(h, outHeight, vBounds, vWeights, vK);
            if (outWidth == w)
            {
                ResampleRows(origin, srcStride, outStride, dst, outStride, vBounds, vWeights, vK);
                return;
            }

            // Only rows the vertical pass reads are resampled horizontally (Resample.c ybox_first/ybox_last). For the
            // whole-box resize torchvision asks for, the bilinear support always reaches rows 0 and h-1, so this is all rows.
            bool needVertical = outHeight != h;
            int yFirst = needVertical ? vBounds[0] : 0;
            int yLast = needVertical ? vBounds[2 * (outHeight - 1)] + vBounds[(2 * (outHeight - 1)) + 1] : h;
            int rows = yLast - yFirst, tStride = rows * c;

            // Horizontal pass (ImagingResampleHorizontal_8bpc) as a vertical pass on the transposed rows:
            // columns -> w rows of `rows` pixels -> outWidth rows -> transposed back to rows x outWidth.
            int columnsSize = w * tStride, resampledSize = outWidth * tStride;
            scratch = ArrayPool<byte>.Shared.Rent(Math.Max(columnsSize, resampledSize) + resampledSize);
            var columns = scratch.AsSpan(0, columnsSize);
            var resampled = scratch.AsSpan(Math.Max(columnsSize, resampledSize), resampledSize);
            PixelTranspose.Transpose(origin[(yFirst * srcStride)..], srcStride, rows, w, c, columns, tStride);
            ResampleRows(columns, tStride, tStride, resampled, tStride, hBounds, hWeights, hK);
            if (!needVertical)
            {
                PixelTranspose.Transpose(resampled, tStride, outWidth, rows, c, dst, outStride);
                return;
            }

            var horizontal = scratch.AsSpan(0, rows * outStride); // the columns are no longer needed
            PixelTranspose.Transpose(resampled, tStride, outWidth, rows, c, horizontal, outStride);
            for (int i = 0; i < outHeight; i++)
            {
                vBounds[2 * i] -= yFirst;
            }

            ResampleRows(horizontal, outStride, outStride, dst, outStride, vBounds, vWeights, vK);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(coefficients);
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }

    /// <summary>Taps per output (Resample.c ksize) for a full-range box [0, inSize) resized to outSize.</summary>
    internal static int KernelSize(int inSize, int outSize)
    {
        double filterScale = Math.Max((double)inSize / outSize, 1.0);
        return ((int)Math.Ceiling(filterScale) * 2) + 1; // bilinear support is 1, times the filter scale
    }

    /// <summary>
    /// Resample.c precompute_coeffs + normalize_coeffs_8bpc for a full-range box [0, inSize): per output, the first
    /// input index and the tap count in <paramref name="bounds"/>, and <paramref name="ksize"/> fixed-point weights.
    /// </summary>
    internal static void Coefficients(int inSize, int outSize, Span<int> bounds, Span<int> weights, int ksize)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = 1.0 * filterScale; // bilinear filter support is 1
        for (int xx = 0; xx < outSize; xx++)
        {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = Math.Max((int)(center - support + 0.5), 0);
            int xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;

            // Pillow keeps the float weights in a double array; computing each one twice gives the same double.
            double ww = 0;
            for (int x = 0; x < xmax; x++)
            {
                ww += Triangle((x + xmin - center + 0.5) * ss);
            }

            var k = weights.Slice(xx * ksize, ksize);
            for (int x = 0; x < xmax; x++)
            {
                double t = Triangle((x + xmin - center + 0.5) * ss);
                double w = ww != 0.0 ? t / ww : t;
                k[x] = w < 0 ? (int)(-0.5 + (w * (1 << PrecisionBits))) : (int)(0.5 + (w * (1 << PrecisionBits)));
            }

            bounds[2 * xx] = xmin;
            bounds[(2 * xx) + 1] = xmax;
        }
    }

    /// <summary>Resample.c bilinear_filter.</summary>
    private static double Triangle(double x)
    {
        x = Math.Abs(x);
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    /// <summary>
    /// ImagingResampleVertical_8bpc over the first <paramref name="lanes"/> bytes of each row: output row yy is
    /// clip8(2^21 + sum of input row (ymin + t) times weight t). Each output row is computed a vector of bytes at a time,
    /// the last vector overlapping the one before rather than leaving a tail (src and dst differ).
    /// </summary>
    private static void ResampleRows(ReadOnlySpan<byte> src, int srcStride, int lanes, Span<byte> dst, int dstStride, ReadOnlySpan<int> bounds, ReadOnlySpan<int> weights, int ksize)
    {
        int outRows = bounds.Length / 2, vec = Vector<byte>.Count;
        ref byte s = ref MemoryMarshal.GetReference(src);
        ref byte d = ref MemoryMarshal.GetReference(dst);
        for (int yy = 0; yy < outRows; yy++)
        {
            int ymin = bounds[2 * yy], ymax = bounds[(2 * yy) + 1];
            var k = weights.Slice(yy * ksize, ymax);
            ref byte first = ref Unsafe.Add(ref s, (nint)ymin * srcStride);
            ref byte outRow = ref Unsafe.Add(ref d, (nint)yy * dstStride);
            if (Vector.IsHardwareAccelerated && lanes >= vec)
            {
                for (int i = 0; i < lanes; i += vec)
                {
                    ResampleVector(ref first, srcStride, k, ref outRow, Math.Min(i, lanes - vec));
                }
            }
            else
            {
                for (int i = 0; i < lanes; i++)
                {
                    int ss = 1 << (PrecisionBits - 1);
                    for (int t = 0; t < k.Length; t++)
                    {
                        ss += Unsafe.Add(ref first, (t * srcStride) + i) * k[t];
                    }

                    Unsafe.Add(ref outRow, i) = Clip8(ss);
                }
            }
        }
    }

    /// <summary>Bytes i .. i+vec-1 of one output row: int32 lanes, weight t broadcast to all of them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ResampleVector(ref byte first, int srcStride, ReadOnlySpan<int> k, ref byte outRow, int i)
    {
        var a0 = new Vector<int>(1 << (PrecisionBits - 1));
        var (a1, a2, a3) = (a0, a0, a0);
        for (int t = 0; t < k.Length; t++)
        {
            VectorBytes.Load4(ref Unsafe.Add(ref first, (t * srcStride) + i), out var v0, out var v1, out var v2, out var v3);
            var weight = new Vector<int>(k[t]);
            a0 += Vector.AsVectorInt32(v0) * weight;
            a1 += Vector.AsVectorInt32(v1) * weight;
            a2 += Vector.AsVectorInt32(v2) * weight;
            a3 += Vector.AsVectorInt32(v3) * weight;
        }

        VectorBytes.Store4(ref Unsafe.Add(ref outRow, i), Clip8(a0), Clip8(a1), Clip8(a2), Clip8(a3));
    }

    /// <summary>Resample.c clip8: the sum shifted down to 8 bits, clamped to [0, 255].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<uint> Clip8(Vector<int> v) =>
        Vector.AsVectorUInt32(Vector.Min(Vector.Max(Vector.ShiftRightArithmetic(v, PrecisionBits), Vector<int>.Zero), new Vector<int>(255)));

    private static byte Clip8(int v)
    {
        v >>= PrecisionBits;
        return (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
}
