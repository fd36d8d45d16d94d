namespace MoCo.Imaging.Transforms;

/// <summary>The factors one ColorJitter call applies, and the order (0 brightness, 1 contrast, 2 saturation, 3 hue).</summary>
/// <param name="Order">A permutation of 0..3 (torchvision draws <c>torch.randperm(4)</c> per image).</param>
/// <param name="Brightness">Brightness factor (1 = unchanged).</param>
/// <param name="Contrast">Contrast factor (1 = unchanged).</param>
/// <param name="Saturation">Saturation factor (1 = unchanged).</param>
/// <param name="Hue">Hue shift in [-0.5, 0.5] turns (0 = unchanged).</param>
public sealed record ColorJitterParams(IReadOnlyList<int> Order, float Brightness, float Contrast, float Saturation, float Hue);

/// <summary>
/// torchvision's ColorJitter on PIL images: brightness, contrast, saturation and hue factors drawn
/// uniformly from [max(0, 1 - x), 1 + x] (hue from [-x, x]) and applied in an order shuffled per
/// image. On 1-channel images saturation and hue are no-ops, leaving brightness and contrast.
/// Defaults are MoCo v1's (0.4, 0.4, 0.4, 0.4); v2 uses hue 0.1.
/// </summary>
/// <param name="Brightness">Default 0.4.</param>
/// <param name="Contrast">Default 0.4.</param>
/// <param name="Saturation">Default 0.4.</param>
/// <param name="Hue">Default 0.4, at most 0.5.</param>
public sealed record ColorJitter(float Brightness = 0.4f, float Contrast = 0.4f, float Saturation = 0.4f, float Hue = 0.4f)
{
    /// <summary>Draws the order and the four factors.</summary>
    public ColorJitterParams Sample(Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (Hue is < 0 or > 0.5f)
        {
            throw new ArgumentOutOfRangeException(nameof(Hue), Hue, "hue jitter must lie in [0, 0.5].");
        }

        int[] order = [0, 1, 2, 3];
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        float Factor(float x) => Math.Max(0, 1 - x) + (float)(rng.NextDouble() * ((1 + x) - Math.Max(0, 1 - x)));
        float b = Factor(Brightness), c = Factor(Contrast), s = Factor(Saturation);
        float h = (float)((rng.NextDouble() * 2 * Hue) - Hue);
        return new ColorJitterParams(order, b, c, s, h);
    }

    /// <summary>Applies <paramref name="p"/> to <paramref name="image"/> in place.</summary>
    public static void Apply(DecodedImage image, ColorJitterParams p)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(p);
        using var planes = PlanarImage.From(image);
        Apply(planes, p);
        planes.CopyTo(image);
    }

    /// <summary>Applies <paramref name="p"/> to planar pixels in place (the augmentation pipeline's form).</summary>
    internal static void Apply(PlanarImage image, ColorJitterParams p)
    {
        foreach (int op in p.Order)
        {
            switch (op)
            {
                case 0: PillowColor.Brightness(image, p.Brightness); break;
                case 1: PillowColor.Contrast(image, p.Contrast); break;
                case 2: PillowColor.Saturation(image, p.Saturation); break;
                case 3: PillowHue.Apply(image, p.Hue); break;
                default: throw new ArgumentException($"order holds {op}; expected a permutation of 0..3.", nameof(p));
            }
        }
    }
}
