using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MoCo.Imaging.Transforms;

/// <summary>
/// Pillow 9.4's <c>ImageFilter.GaussianBlur(radius)</c> (libImaging/BoxBlur.c): three passes of an
/// extended box blur whose fractional radius matches the Gaussian's variance (Gwosdek et al., SSVM 2011),
/// horizontally then vertically, each pass rounded to 8 bits. The official MoCo v2 code blurs this way
/// with radius = sigma.
/// </summary>
/// <remarks>
/// Vectorised, bit-exact: ImagingLineBoxBlur's running sum <c>acc</c> is always the sum of the 2r+1 pixels around x
/// with indices clamped to the line (its three loops and its start value only spell out the clamping), and
/// <c>acc * ww + (left + far) * fw + 2^23 &gt;&gt; 24</c> is computed in 32-bit unsigned lanes as BoxBlur.c does in UINT32.
/// Vertical passes keep one running sum per byte of a row, so one vector serves 32 columns at once; horizontal passes
/// add the 2r+3 taps of each byte straight from the row (MoCo's sigmas give r = 0 or 1), or, for wider boxes,
/// run as vertical passes on the transposed image.
/// </remarks>
internal static class PillowGaussianBlur
{
    private const int Passes = 3;

    // Widest integer box radius whose horizontal passes read their 2r+3 taps straight from the row; a wider box
    // transposes and uses the vertical passes' running sums, whose cost does not grow with the radius. Measured on
    // 224x224 RGB and on three 224x224 gray planes (bench kernels): direct 0.22 ms at r = 0, 0.28-0.30 at r = 1, 0.36
    // at r = 2; transposed 0.24-0.30 at any r. MoCo's sigmas (0.1-2) give r = 0 or 1.
    internal const int MaxDirectRadius = 1;

    /// <summary>BoxBlur.c _gaussian_blur_radius, in float32 as Pillow computes it.</summary>
    internal static float BoxRadius(float radius)
    {
        float sigma2 = radius * radius / Passes;
        float l = MathF.Floor(((float)Math.Sqrt((12.0 * sigma2) + 1.0) - 1.0f) / 2.0f);
        float a = ((2 * l) + 1) * ((l * (l + 1)) - (3 * sigma2));
        a /= 6 * (sigma2 - ((l + 1) * (l + 1)));
        return l + a;
    }

    /// <summary>Blurs <paramref name="px"/> (height x width x channels, packed rows) in place.</summary>
    internal static void Apply(Span<byte> px, int width, int height, int channels, float radius)
    {
        int stride = width * channels, size = stride * height;
        if (px.Length < size)
        {
            throw new ArgumentException($"{px.Length} bytes do not hold {width}x{height}x{channels}.", nameof(px));
        }

        float r = BoxRadius(radius);
        if (r == 0)
        {
            return; // ImagingBoxBlur copies the image when both radii are 0
        }

        var box = new BoxWeights(r);
        px = px[..size];
        byte[] rented = ArrayPool<byte>.Shared.Rent(2 * size);
        try
        {
            Span<byte> a = rented.AsSpan(0, size), b = rented.AsSpan(size, size);
            if (box.Radius <= MaxDirectRadius)
            {
                // Three ImagingHorizontalBoxBlur passes, one row at a time through two row buffers that stay in L1.
                for (int y = 0; y < height; y++)
                {
                    var row = px.Slice(y * stride, stride);
                    HorizontalPass(row, a, width, channels, box);
                    HorizontalPass(a, b, width, channels, box);
                    HorizontalPass(b, row, width, channels, box);
                }
            }
            else
            {
                // The transposed image has width rows of height pixels; its vertical passes are our horizontal ones.
                int tStride = height * channels;
                PixelTranspose.Transpose(px, stride, height, width, channels, a, tStride);
                VerticalPass(a, b, width, tStride, box);
                VerticalPass(b, a, width, tStride, box);
                VerticalPass(a, b, width, tStride, box);
                PixelTranspose.Transpose(b, tStride, width, height, channels, px, stride);
            }

            // Pillow transposes and blurs rows (ImagingBoxBlur); blurring down the columns is the same arithmetic.
            VerticalPass(px, a, height, stride, box);
            VerticalPass(a, b, height, stride, box);
            VerticalPass(b, px, height, stride, box);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// One ImagingLineBoxBlur pass along a row of <paramref name="n"/> interleaved pixels. Pixels r+1 .. n-r-2 read
    /// no clamped tap and go through vectors (overlapping the last one rather than leaving a tail: src and dst differ);
    /// the r+1 pixels at each end, and rows too short for a vector, are done one byte at a time.
    /// </summary>
    private static void HorizontalPass(ReadOnlySpan<byte> src, Span<byte> dst, int n, int channels, in BoxWeights box)
    {
        int length = n * channels, vec = Vector<byte>.Count;
        int lo = (box.Radius + 1) * channels, hi = (n - box.Radius - 1) * channels;
        if (!Vector.IsHardwareAccelerated || hi - lo < vec)
        {
            lo = hi = length;
        }
        else
        {
            ref byte s = ref MemoryMarshal.GetReference(src);
            ref byte d = ref MemoryMarshal.GetReference(dst);
            var ww = new Vector<uint>(box.Ww);
            var fw = new Vector<uint>(box.Fw);
            for (int i = lo; i < hi; i += vec)
            {
                HorizontalVector(ref s, ref d, Math.Min(i, hi - vec), channels, box.Radius, ww, fw);
            }
        }

        for (int i = 0; i < lo; i++)
        {
            dst[i] = BlurAt(src, i / channels, i % channels, n, channels, box);
        }

        for (int i = hi; i < length; i++)
        {
            dst[i] = BlurAt(src, i / channels, i % channels, n, channels, box);
        }
    }

    /// <summary>Bytes i .. i+vec-1 of a horizontal pass: the 2r+1 window taps and the two far taps, in uint lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void HorizontalVector(ref byte s, ref byte d, int i, int channels, int radius, Vector<uint> ww, Vector<uint> fw)
    {
        VectorBytes.Load4(ref Unsafe.Add(ref s, i - (radius * channels)), out var s0, out var s1, out var s2, out var s3);
        for (int k = 1 - radius; k <= radius; k++)
        {
            VectorBytes.Load4(ref Unsafe.Add(ref s, i + (k * channels)), out var t0, out var t1, out var t2, out var t3);
            (s0, s1, s2, s3) = (s0 + t0, s1 + t1, s2 + t2, s3 + t3);
        }

        int reach = (radius + 1) * channels;
        VectorBytes.Load4(ref Unsafe.Add(ref s, i - reach), out var l0, out var l1, out var l2, out var l3);
        VectorBytes.Load4(ref Unsafe.Add(ref s, i + reach), out var f0, out var f1, out var f2, out var f3);
        VectorBytes.Store4(ref Unsafe.Add(ref d, i), Blend(s0, l0 + f0, ww, fw), Blend(s1, l1 + f1, ww, fw), Blend(s2, l2 + f2, ww, fw), Blend(s3, l3 + f3, ww, fw));
    }

    /// <summary>
    /// Three-quarters of ImagingBoxBlur for the columns: one ImagingLineBoxBlur pass down every column of a
    /// <paramref name="rows"/> x <paramref name="stride"/>-byte image, all bytes of a row side by side in vectors.
    /// </summary>
    private static void VerticalPass(ReadOnlySpan<byte> src, Span<byte> dst, int rows, int stride, in BoxWeights box)
    {
        int vec = Vector<byte>.Count;
        if (Vector.IsHardwareAccelerated && stride >= vec)
        {
            for (int i = 0; i < stride; i += vec)
            {
                VerticalStrip(src, dst, rows, stride, Math.Min(i, stride - vec), box); // the last strip overlaps: src and dst differ
            }
        }
        else
        {
            for (int i = 0; i < stride; i++)
            {
                VerticalColumn(src, dst, rows, stride, i, box);
            }
        }
    }

    /// <summary>A strip of <c>Vector&lt;byte&gt;.Count</c> columns from column byte <paramref name="i"/>; the running sums stay in registers down the strip.</summary>
    private static void VerticalStrip(ReadOnlySpan<byte> src, Span<byte> dst, int rows, int stride, int i, in BoxWeights box)
    {
        ref byte s = ref MemoryMarshal.GetReference(src);
        ref byte d = ref MemoryMarshal.GetReference(dst);
        int r = box.Radius, last = rows - 1, edgeA = Math.Min(r + 1, rows);
        var ww = new Vector<uint>(box.Ww);
        var fw = new Vector<uint>(box.Fw);

        // BoxBlur.c: acc = lineIn[0] * (radius + 1) + lineIn[0 .. edgeA-2] + lineIn[lastx] * (radius - edgeA + 1).
        VectorBytes.Load4(ref Unsafe.Add(ref s, i), out var a0, out var a1, out var a2, out var a3);
        var first = new Vector<uint>((uint)(r + 1));
        (a0, a1, a2, a3) = (a0 * first, a1 * first, a2 * first, a3 * first);
        for (int y = 0; y < edgeA - 1; y++)
        {
            VectorBytes.Load4(ref Unsafe.Add(ref s, (y * stride) + i), out var b0, out var b1, out var b2, out var b3);
            (a0, a1, a2, a3) = (a0 + b0, a1 + b1, a2 + b2, a3 + b3);
        }

        VectorBytes.Load4(ref Unsafe.Add(ref s, (last * stride) + i), out var l0, out var l1, out var l2, out var l3);
        var rest = new Vector<uint>((uint)(r - edgeA + 1));
        (a0, a1, a2, a3) = (a0 + (l0 * rest), a1 + (l1 * rest), a2 + (l2 * rest), a3 + (l3 * rest));

        for (int y = 0; y < rows; y++)
        {
            // MOVE_ACC(acc, subtract, add) and ADD_FAR(bulk, acc, subtract, far), indices clamped as Pillow's loops do;
            // acc wraps around in UINT32 exactly as in C, and always holds the window's sum after the add.
            int subtract = Math.Max(y - r - 1, 0), add = Math.Min(y + r, last), far = Math.Min(y + r + 1, last);
            VectorBytes.Load4(ref Unsafe.Add(ref s, (subtract * stride) + i), out var s0, out var s1, out var s2, out var s3);
            VectorBytes.Load4(ref Unsafe.Add(ref s, (add * stride) + i), out var p0, out var p1, out var p2, out var p3);
            VectorBytes.Load4(ref Unsafe.Add(ref s, (far * stride) + i), out var f0, out var f1, out var f2, out var f3);
            (a0, a1, a2, a3) = (a0 + p0 - s0, a1 + p1 - s1, a2 + p2 - s2, a3 + p3 - s3);
            VectorBytes.Store4(ref Unsafe.Add(ref d, (y * stride) + i), Blend(a0, s0 + f0, ww, fw), Blend(a1, s1 + f1, ww, fw), Blend(a2, s2 + f2, ww, fw), Blend(a3, s3 + f3, ww, fw));
        }
    }

    /// <summary>The scalar form of <see cref="VerticalStrip"/> for one column byte, for rows narrower than a vector.</summary>
    private static void VerticalColumn(ReadOnlySpan<byte> src, Span<byte> dst, int rows, int stride, int i, in BoxWeights box)
    {
        int r = box.Radius, last = rows - 1, edgeA = Math.Min(r + 1, rows);
        uint acc = (uint)(src[i] * (r + 1));
        for (int y = 0; y < edgeA - 1; y++)
        {
            acc += src[(y * stride) + i];
        }

        acc += (uint)(src[(last * stride) + i] * (r - edgeA + 1));
        for (int y = 0; y < rows; y++)
        {
            int left = src[(Math.Max(y - r - 1, 0) * stride) + i];
            acc += (uint)(src[(Math.Min(y + r, last) * stride) + i] - left);
            dst[(y * stride) + i] = box.Blend(acc, (uint)(left + src[(Math.Min(y + r + 1, last) * stride) + i]));
        }
    }

    /// <summary>Output byte <paramref name="ch"/> of pixel <paramref name="x"/> of a line of <paramref name="n"/> pixels, every tap index clamped to the line.</summary>
    private static byte BlurAt(ReadOnlySpan<byte> line, int x, int ch, int n, int channels, in BoxWeights box)
    {
        int r = box.Radius, last = n - 1;
        uint sum = 0;
        for (int k = x - r; k <= x + r; k++)
        {
            sum += line[(Math.Clamp(k, 0, last) * channels) + ch];
        }

        uint far = (uint)(line[(Math.Max(x - r - 1, 0) * channels) + ch] + line[(Math.Min(x + r + 1, last) * channels) + ch]);
        return box.Blend(sum, far);
    }

    /// <summary>BoxBlur.c ADD_FAR + SAVE in UINT32 lanes: (acc * ww + (left + far) * fw + 2^23) &gt;&gt; 24, at most 255.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<uint> Blend(Vector<uint> acc, Vector<uint> far, Vector<uint> ww, Vector<uint> fw) =>
        Vector.ShiftRightLogical((acc * ww) + (far * fw) + new Vector<uint>(1u << 23), 24);

    /// <summary>ImagingHorizontalBoxBlur's constants for one fractional box radius.</summary>
    private readonly struct BoxWeights
    {
        internal BoxWeights(float floatRadius)
        {
            Radius = (int)floatRadius;
            Ww = (uint)((float)(1 << 24) / ((floatRadius * 2) + 1));
            Fw = ((1u << 24) - ((uint)((Radius * 2) + 1) * Ww)) / 2; // UINT32 arithmetic as in C, wrap-around included
        }

        /// <summary>The integer part r: the box holds 2r+1 whole pixels.</summary>
        internal int Radius { get; }

        /// <summary>Weight of each whole pixel, in 1/2^24.</summary>
        internal uint Ww { get; }

        /// <summary>Weight of each of the two pixels at distance r+1 (the fractional part), in 1/2^24.</summary>
        internal uint Fw { get; }

        /// <summary>ADD_FAR + SAVE for one byte: <paramref name="sum"/> of the whole pixels, <paramref name="far"/> of the two far ones.</summary>
        internal byte Blend(uint sum, uint far) => (byte)(((sum * Ww) + (far * Fw) + (1u << 23)) >> 24);
    }
}
