namespace MoCo.Imaging.Transforms;

/// <summary>
/// Pillow 9.4's <c>ImageFilter.GaussianBlur(radius)</c> (libImaging/BoxBlur.c): three passes of an
/// extended box blur whose fractional radius matches the Gaussian's variance (Gwosdek et al., SSVM 2011),
/// horizontally then vertically, each pass rounded to 8 bits. The official MoCo v2 code blurs this way
/// with radius = sigma.
/// </summary>
internal static class PillowGaussianBlur
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
