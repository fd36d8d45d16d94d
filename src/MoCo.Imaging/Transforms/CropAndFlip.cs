namespace MoCo.Imaging.Transforms;

/// <summary>
/// The supervised training view of fine-tuning recipes (torchvision's
/// <c>Compose([RandomResizedCrop(size, scale), RandomHorizontalFlip(), ToTensor(), Normalize(mean, std)])</c>): one view
/// per image, drawn in torchvision's call order, the crop's tries and then the flip. Its pixels are
/// <see cref="MoCoAugmentation"/>'s with the colour and blur steps off (the same Pillow-exact crop, resize and flip); its
/// draws are fewer, since <see cref="MoCoAugmentation.Sample"/> draws the grayscale, jitter and blur coins even at p 0.
/// </summary>
public sealed record CropAndFlip : PlanarAugmentation
{
    /// <summary>Crop sampler and output size; default 224, scale 0.2-1.0, ratio 3/4-4/3.</summary>
    public RandomResizedCrop Crop { get; init; } = new();

    /// <summary>Probability of a horizontal flip; default 0.5.</summary>
    public double FlipProbability { get; init; } = 0.5;

    /// <summary>Draws the view of a <paramref name="width"/> x <paramref name="height"/> image: the crop box, then whether it is
    /// flipped (the colour and blur fields of the result are off).</summary>
    public override ViewParams Sample(int width, int height, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var crop = Crop.Sample(width, height, rng);
        bool flip = rng.NextDouble() < FlipProbability;
        return new ViewParams(crop, null, false, null, flip);
    }

    /// <summary>The resized crop as planes, flipped in place when <paramref name="p"/> says so.</summary>
    private protected override PlanarImage ApplyPlanes(DecodedImage image, ViewParams p)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(p);
        if (p.Jitter is not null || p.Grayscale || p.BlurSigma is not null)
        {
            throw new ArgumentException($"a crop-and-flip view has no colour or blur step, but {p} asks for one (use MoCoAugmentation).", nameof(p));
        }

        PlanarImage planes;
        using (var crop = Crop.Apply(image, p.Crop))
        {
            planes = PlanarImage.From(crop);
        }

        if (p.Flip)
        {
            planes.FlipHorizontal();
        }

        return planes;
    }
}
