namespace MoCo.Imaging.Transforms;

/// <summary>
/// torchvision's RandomResizedCrop: a box covering a random fraction (<see cref="ScaleMin"/>..<see cref="ScaleMax"/>)
/// of the area with a log-uniform aspect ratio (<see cref="RatioMin"/>..<see cref="RatioMax"/>), 10 tries, then the
/// central fallback; resized to <see cref="Size"/> x <see cref="Size"/> with Pillow's antialiased bilinear filter.
/// Defaults are MoCo v1/v2's: size 224, scale 0.2-1.0, ratio 3/4-4/3.
/// </summary>
/// <param name="Size">Output side, default 224.</param>
/// <param name="ScaleMin">Smallest area fraction, default 0.2 (MoCo; torchvision's own default is 0.08).</param>
/// <param name="ScaleMax">Largest area fraction, default 1.0.</param>
/// <param name="RatioMin">Smallest width/height, default 3/4.</param>
/// <param name="RatioMax">Largest width/height, default 4/3.</param>
public sealed record RandomResizedCrop(int Size = 224, double ScaleMin = 0.2, double ScaleMax = 1.0, double RatioMin = 3.0 / 4.0, double RatioMax = 4.0 / 3.0)
{
    private const int Tries = 10;

    /// <summary>Draws the crop box for a <paramref name="width"/> x <paramref name="height"/> image (torchvision 0.14 <c>get_params</c>).</summary>
    public CropBox Sample(int width, int height, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        double area = (double)width * height;
        double logMin = Math.Log(RatioMin), logMax = Math.Log(RatioMax);
        for (int t = 0; t < Tries; t++)
        {
            double targetArea = area * (ScaleMin + ((ScaleMax - ScaleMin) * rng.NextDouble()));
            double aspect = Math.Exp(logMin + ((logMax - logMin) * rng.NextDouble()));
            int w = (int)Math.Round(Math.Sqrt(targetArea * aspect), MidpointRounding.ToEven);
            int h = (int)Math.Round(Math.Sqrt(targetArea / aspect), MidpointRounding.ToEven);
            if (w > 0 && w <= width && h > 0 && h <= height)
            {
                int i = rng.Next(0, height - h + 1);
                int j = rng.Next(0, width - w + 1);
                return new CropBox(i, j, h, w);
            }
        }

        return CentralFallback(width, height);
    }

    /// <summary>The box used when 10 tries fail: the whole image clamped to the ratio range, centred.</summary>
    internal CropBox CentralFallback(int width, int height)
    {
        double inRatio = (double)width / height;
        int w, h;
        if (inRatio < Math.Min(RatioMin, RatioMax))
        {
            w = width;
            h = (int)Math.Round(w / Math.Min(RatioMin, RatioMax), MidpointRounding.ToEven);
        }
        else if (inRatio > Math.Max(RatioMin, RatioMax))
        {
            h = height;
            w = (int)Math.Round(h * Math.Max(RatioMin, RatioMax), MidpointRounding.ToEven);
        }
        else
        {
            w = width;
            h = height;
        }

        return new CropBox((height - h) / 2, (width - w) / 2, h, w);
    }

    /// <summary>
    /// The shortest source side on which every box <see cref="Sample"/> can draw still has at least <see cref="Size"/>
    /// pixels per side, so the crop is only ever shrunk: a box covers at least ScaleMin of the area A >= side^2 with
    /// w/h in [RatioMin, RatioMax], hence min(w, h) >= side * sqrt(ScaleMin * min(RatioMin, 1 / RatioMax)), less one for
    /// rounding. The loader lets a JPEG be DCT-scaled down to this side. Defaults: 581 for size 224.
    /// </summary>
    public int MinSourceShorterSide
    {
        get
        {
            double narrowest = Math.Min(Math.Min(RatioMin, RatioMax), 1 / Math.Max(RatioMin, RatioMax));
            return (int)Math.Ceiling((Size + 1) / Math.Sqrt(ScaleMin * Math.Min(1.0, narrowest)));
        }
    }

    /// <summary>Crops <paramref name="box"/> and resizes to <see cref="Size"/> x <see cref="Size"/>; the caller disposes the result.</summary>
    public DecodedImage Apply(DecodedImage image, CropBox box) => ImageOps.ResizedCrop(image, box, Size, Size);
}
