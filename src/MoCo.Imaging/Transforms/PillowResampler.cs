namespace MoCo.Imaging.Transforms;

/// <summary>
/// Pillow's antialiased bilinear resize of 8-bit images (libImaging/Resample.c, Pillow 9.4), so
/// results match <c>Image.resize(size, Image.BILINEAR)</c> bit for bit: a triangle filter whose support
/// widens with the downscale factor, weights normalised per output pixel and rounded to 22-bit fixed
/// point, a horizontal pass (rounded to uint8) then a vertical pass.
/// </summary>
internal static class PillowResampler
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
