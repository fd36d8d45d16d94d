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

        var line = new uint[Math.Max(width, height) * channels];
        var col = new byte[height * channels];
        for (int pass = 0; pass < Passes; pass++)
        {
            for (int y = 0; y < height; y++)
            {
                BlurLine(px.Slice(y * width * channels, width * channels), width, channels, 1, r, line);
            }
        }

        // Pillow transposes and blurs rows; blurring columns through a gathered copy is the same arithmetic.
        for (int x = 0; x < width; x++)
        {
            for (int y = 0; y < height; y++)
            {
                px.Slice(((y * width) + x) * channels, channels).CopyTo(col.AsSpan(y * channels, channels));
            }

            for (int pass = 0; pass < Passes; pass++)
            {
                BlurLine(col, height, channels, 1, r, line);
            }

            for (int y = 0; y < height; y++)
            {
                col.AsSpan(y * channels, channels).CopyTo(px.Slice(((y * width) + x) * channels, channels));
            }
        }
    }

    /// <summary>One pass of ImagingLineBoxBlur over a line of <paramref name="n"/> pixels, edges extended.</summary>
    private static void BlurLine(Span<byte> span, int n, int channels, int unused, float floatRadius, uint[] outLine)
    {
        _ = unused;
        var line = new int[n * channels];
        for (int i = 0; i < line.Length; i++)
        {
            line[i] = span[i];
        }

        int radius = (int)floatRadius;
        uint ww = (uint)((float)(1 << 24) / ((floatRadius * 2) + 1));
        uint fw = (uint)(((1 << 24) - (((radius * 2) + 1) * ww)) / 2);
        int lastx = n - 1;
        int edgeA = Math.Min(radius + 1, n);
        int edgeB = Math.Max(n - radius - 1, 0);
        for (int c = 0; c < channels; c++)
        {
            int P(int x) => line[(x * channels) + c];
            uint acc = (uint)(P(0) * (radius + 1));
            for (int x = 0; x < edgeA - 1; x++)
            {
                acc += (uint)P(x);
            }

            acc += (uint)(P(lastx) * (radius - edgeA + 1));

            void Step(int x, int subtract, int add, int far)
            {
                acc += (uint)(P(add) - P(subtract));
                uint bulk = (acc * ww) + ((uint)(P(subtract) + P(far)) * fw);
                outLine[(x * channels) + c] = (byte)((bulk + (1u << 23)) >> 24);
            }

            if (edgeA <= edgeB)
            {
                for (int x = 0; x < edgeA; x++)
                {
                    Step(x, 0, x + radius, x + radius + 1);
                }

                for (int x = edgeA; x < edgeB; x++)
                {
                    Step(x, x - radius - 1, x + radius, x + radius + 1);
                }

                for (int x = edgeB; x <= lastx; x++)
                {
                    Step(x, x - radius - 1, lastx, lastx);
                }
            }
            else
            {
                for (int x = 0; x < edgeB; x++)
                {
                    Step(x, 0, x + radius, x + radius + 1);
                }

                for (int x = edgeB; x < edgeA; x++)
                {
                    Step(x, 0, lastx, lastx);
                }

                for (int x = edgeA; x <= lastx; x++)
                {
                    Step(x, x - radius - 1, lastx, lastx);
                }
            }
        }

        for (int i = 0; i < n * channels; i++)
        {
            span[i] = (byte)outLine[i];
        }
    }
}
