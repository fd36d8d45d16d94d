namespace MoCo.Imaging.Decoding;

/// <summary>
/// Which JPEG DCT scaling (1/8, 1/4, 1/2 or none) to decode at, shared by both JPEG paths so they pick the same
/// size. libjpeg-turbo (since 1.2) offers all three; its output size rounds up: ceil(dim / denom) (jdmaster.c).
/// </summary>
internal static class DctScale
{
    /// <summary>The largest of 8, 4, 2 whose scaled shorter side is still at least <paramref name="minShorterSide"/>; 1 (full size) if none, or if it is 0.</summary>
    internal static int Denominator(int width, int height, int minShorterSide, Func<int, bool>? offered = null)
    {
        if (minShorterSide <= 0)
        {
            return 1;
        }

        foreach (int denom in (ReadOnlySpan<int>)[8, 4, 2])
        {
            (int sw, int sh) = Size(width, height, denom);
            if ((offered is null || offered(denom)) && Math.Min(sw, sh) >= minShorterSide)
            {
                return denom;
            }
        }

        return 1;
    }

    /// <summary>The size libjpeg-turbo gives at scale 1/<paramref name="denom"/>.</summary>
    internal static (int Width, int Height) Size(int width, int height, int denom) =>
        ((width + denom - 1) / denom, (height + denom - 1) / denom);
}
