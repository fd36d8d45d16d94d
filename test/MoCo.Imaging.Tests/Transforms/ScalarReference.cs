namespace MoCo.Imaging.Tests.Transforms;

/// <summary>
/// The scalar kernels as they were before vectorisation (commit 64538a5), kept verbatim as the reference the
/// SIMD kernels are compared with at tolerance 0: they follow Pillow 9.4's loops one for one
/// (libImaging/Resample.c and BoxBlur.c) and matched Pillow on every fixture.
/// </summary>
internal static class ScalarReference
{
    /// <summary>The resampler: Resample.c's precompute_coeffs, ImagingResampleHorizontal_8bpc and ImagingResampleVertical_8bpc.</summary>
    internal static class Resampler
    {
        private const int PrecisionBits = 32 - 8 - 2; // Resample.c: PRECISION_BITS for 8 bits per channel

        /// <summary>Resizes <paramref name="src"/> (h x w x c) into <paramref name="dst"/> (outH x outW x c).</summary>
        internal static void ResizeBilinear(ReadOnlySpan<byte> src, int width, int height, int channels, Span<byte> dst, int outWidth, int outHeight)
        {
            if (outWidth == width && outHeight == height)
            {
                src[..(width * height * channels)].CopyTo(dst); // Pillow returns a copy when the size is unchanged
                return;
            }

            var (hBounds, hWeights, hK) = Coefficients(width, outWidth);
            var (vBounds, vWeights, vK) = Coefficients(height, outHeight);

            // Only rows the vertical pass reads are resampled horizontally (Pillow's ybox_first/ybox_last).
            int yFirst = vBounds[0];
            int yLast = vBounds[2 * (outHeight - 1)] + vBounds[(2 * (outHeight - 1)) + 1];
            bool needHorizontal = outWidth != width;
            bool needVertical = outHeight != height;

            int tempRows = needHorizontal ? yLast - yFirst : height;
            byte[]? temp = needHorizontal && needVertical ? System.Buffers.ArrayPool<byte>.Shared.Rent(tempRows * outWidth * channels) : null;
            try
            {
                if (needHorizontal)
                {
                    Span<byte> hOut = temp is null ? dst : temp.AsSpan(0, tempRows * outWidth * channels);
                    int rowOffset = needVertical ? yFirst : 0;
                    int rows = needVertical ? tempRows : height;
                    Horizontal(src, width, channels, rowOffset, rows, hOut, outWidth, hBounds, hWeights, hK);
                    if (needVertical)
                    {
                        for (int i = 0; i < outHeight; i++)
                        {
                            vBounds[2 * i] -= yFirst;
                        }

                        Vertical(hOut, outWidth, channels, dst, outHeight, vBounds, vWeights, vK);
                    }
                }
                else
                {
                    Vertical(src, width, channels, dst, outHeight, vBounds, vWeights, vK);
                }
            }
            finally
            {
                if (temp is not null)
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(temp);
                }
            }
        }

        /// <summary>Resample.c precompute_coeffs + normalize_coeffs_8bpc for a full-range box [0, inSize).</summary>
        internal static (int[] Bounds, int[] Weights, int KSize) Coefficients(int inSize, int outSize)
        {
            double scale = (double)inSize / outSize;
            double filterScale = Math.Max(scale, 1.0);
            double support = 1.0 * filterScale; // bilinear filter support is 1
            int ksize = ((int)Math.Ceiling(support) * 2) + 1;
            var bounds = new int[outSize * 2];
            var weights = new int[outSize * ksize];
            var k = new double[ksize];
            for (int xx = 0; xx < outSize; xx++)
            {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int xmin = Math.Max((int)(center - support + 0.5), 0);
                int xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
                double ww = 0;
                for (int x = 0; x < xmax; x++)
                {
                    double t = Math.Abs((x + xmin - center + 0.5) * ss);
                    k[x] = t < 1.0 ? 1.0 - t : 0.0;
                    ww += k[x];
                }

                for (int x = 0; x < xmax; x++)
                {
                    double w = ww != 0.0 ? k[x] / ww : k[x];
                    weights[(xx * ksize) + x] = w < 0 ? (int)(-0.5 + (w * (1 << PrecisionBits))) : (int)(0.5 + (w * (1 << PrecisionBits)));
                }

                bounds[2 * xx] = xmin;
                bounds[(2 * xx) + 1] = xmax;
            }

            return (bounds, weights, ksize);
        }

        private static byte Clip8(int v)
        {
            v >>= PrecisionBits;
            return (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
        }

        private static void Horizontal(ReadOnlySpan<byte> src, int width, int channels, int rowOffset, int rows, Span<byte> dst, int outWidth, int[] bounds, int[] weights, int ksize)
        {
            for (int y = 0; y < rows; y++)
            {
                var inRow = src.Slice((y + rowOffset) * width * channels, width * channels);
                var outRow = dst.Slice(y * outWidth * channels, outWidth * channels);
                for (int xx = 0; xx < outWidth; xx++)
                {
                    int xmin = bounds[2 * xx], xmax = bounds[(2 * xx) + 1];
                    var k = weights.AsSpan(xx * ksize, xmax);
                    for (int c = 0; c < channels; c++)
                    {
                        int ss = 1 << (PrecisionBits - 1);
                        for (int x = 0; x < xmax; x++)
                        {
                            ss += inRow[((x + xmin) * channels) + c] * k[x];
                        }

                        outRow[(xx * channels) + c] = Clip8(ss);
                    }
                }
            }
        }

        private static void Vertical(ReadOnlySpan<byte> src, int width, int channels, Span<byte> dst, int outHeight, int[] bounds, int[] weights, int ksize)
        {
            int stride = width * channels;
            for (int yy = 0; yy < outHeight; yy++)
            {
                int ymin = bounds[2 * yy], ymax = bounds[(2 * yy) + 1];
                var k = weights.AsSpan(yy * ksize, ymax);
                var outRow = dst.Slice(yy * stride, stride);
                for (int i = 0; i < stride; i++)
                {
                    int ss = 1 << (PrecisionBits - 1);
                    for (int y = 0; y < ymax; y++)
                    {
                        ss += src[((y + ymin) * stride) + i] * k[y];
                    }

                    outRow[i] = Clip8(ss);
                }
            }
        }
    }

    /// <summary>The Gaussian blur: BoxBlur.c's _gaussian_blur_radius, ImagingLineBoxBlur and three passes per direction.</summary>
    internal static class Blur
    {
        private const int Passes = 3;

        /// <summary>BoxBlur.c _gaussian_blur_radius, in float32 as Pillow computes it.</summary>
        internal static float BoxRadius(float radius)
        {
            float sigma2 = radius * radius / Passes;
            float l = MathF.Floor(((float)Math.Sqrt((12.0 * sigma2) + 1.0) - 1.0f) / 2.0f);
            float a = ((2 * l) + 1) * ((l * (l + 1)) - (3 * sigma2));
            a /= 6 * (sigma2 - ((l + 1) * (l + 1)));
            return l + a;
        }

        internal static void Apply(Span<byte> px, int width, int height, int channels, float radius)
        {
            float r = BoxRadius(radius);
            if (r == 0)
            {
                return;
            }

            int longest = Math.Max(width, height) * channels;
            var a = new int[longest];
            var b = new int[longest];
            for (int y = 0; y < height; y++)
            {
                var row = px.Slice(y * width * channels, width * channels);
                for (int i = 0; i < row.Length; i++)
                {
                    a[i] = row[i];
                }

                for (int pass = 0; pass < Passes; pass++)
                {
                    BlurLine(a, b, width, channels, r);
                    (a, b) = (b, a);
                }

                for (int i = 0; i < row.Length; i++)
                {
                    row[i] = (byte)a[i];
                }
            }

            // Pillow transposes and blurs rows; blurring gathered columns is the same arithmetic.
            int stride = width * channels;
            for (int x = 0; x < width; x++)
            {
                for (int y = 0; y < height; y++)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        a[(y * channels) + c] = px[(y * stride) + (x * channels) + c];
                    }
                }

                for (int pass = 0; pass < Passes; pass++)
                {
                    BlurLine(a, b, height, channels, r);
                    (a, b) = (b, a);
                }

                for (int y = 0; y < height; y++)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        px[(y * stride) + (x * channels) + c] = (byte)a[(y * channels) + c];
                    }
                }
            }
        }

        /// <summary>One pass of ImagingLineBoxBlur over <paramref name="n"/> interleaved pixels, edges extended; results are 8-bit values.</summary>
        private static void BlurLine(int[] line, int[] output, int n, int channels, float floatRadius)
        {
            int radius = (int)floatRadius;
            uint ww = (uint)((float)(1 << 24) / ((floatRadius * 2) + 1));
            uint fw = (uint)(((1 << 24) - (((radius * 2) + 1) * ww)) / 2);
            int lastx = n - 1;
            int edgeA = Math.Min(radius + 1, n);
            int edgeB = Math.Max(n - radius - 1, 0);
            for (int c = 0; c < channels; c++)
            {
                uint acc = (uint)(line[c] * (radius + 1));
                for (int x = 0; x < edgeA - 1; x++)
                {
                    acc += (uint)line[(x * channels) + c];
                }

                acc += (uint)(line[(lastx * channels) + c] * (radius - edgeA + 1));

                // Pillow's three loops, as (x range, subtract index, add index, far index) rules.
                int lo1 = Math.Min(edgeA, edgeB), hi1 = Math.Max(edgeA, edgeB);
                for (int x = 0; x <= lastx; x++)
                {
                    int subtract, add, far;
                    if (x < lo1)
                    {
                        (subtract, add, far) = (0, x + radius, x + radius + 1);
                    }
                    else if (x < hi1)
                    {
                        (subtract, add, far) = edgeA <= edgeB ? (x - radius - 1, x + radius, x + radius + 1) : (0, lastx, lastx);
                    }
                    else
                    {
                        (subtract, add, far) = (x - radius - 1, lastx, lastx);
                    }

                    int left = line[(subtract * channels) + c];
                    acc += (uint)(line[(add * channels) + c] - left);
                    uint bulk = (acc * ww) + ((uint)(left + line[(far * channels) + c]) * fw);
                    output[(x * channels) + c] = (int)((bulk + (1u << 23)) >> 24);
                }
            }
        }
    }
}
