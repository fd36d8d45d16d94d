namespace MoCo.Imaging.Transforms;

/// <summary>
/// MoCo v2's blur (moco/loader.py GaussianBlur): sigma uniform in [<see cref="SigmaMin"/>, <see cref="SigmaMax"/>],
/// then Pillow's <c>ImageFilter.GaussianBlur(radius=sigma)</c>. Defaults 0.1 and 2.0.
/// </summary>
/// <param name="SigmaMin">Default 0.1.</param>
/// <param name="SigmaMax">Default 2.0.</param>
public sealed record GaussianBlur(float SigmaMin = 0.1f, float SigmaMax = 2.0f)
{
    /// <summary>Draws sigma.</summary>
    public float Sample(Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        return SigmaMin + (float)(rng.NextDouble() * (SigmaMax - SigmaMin));
    }

    /// <summary>Blurs <paramref name="image"/> in place with radius <paramref name="sigma"/> as Pillow does.</summary>
    public static void Apply(DecodedImage image, float sigma)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegative(sigma);
        PillowGaussianBlur.Apply(image.Pixels, image.Width, image.Height, image.Channels, sigma);
    }
}
