namespace MoCo.Imaging.Transforms;

/// <summary>
/// An augmentation that draws a view's parameters and builds the view as planes (<see cref="MoCoAugmentation"/>,
/// <see cref="CropAndFlip"/>); the two outputs, 8-bit pixels and normalised floats, are made here once for all.
/// </summary>
public abstract record PlanarAugmentation
{
    /// <summary>Normalisation mean, one value per channel; default ImageNet's.</summary>
    public IReadOnlyList<float> Mean { get; init; } = EvalTransform.ImageNetMean;

    /// <summary>Normalisation std, one value per channel; default ImageNet's.</summary>
    public IReadOnlyList<float> Std { get; init; } = EvalTransform.ImageNetStd;

    /// <summary>Draws every parameter of one view of a <paramref name="width"/> x <paramref name="height"/> image, in torchvision's call order.</summary>
    public abstract ViewParams Sample(int width, int height, Random rng);

    /// <summary>Produces the 8-bit view for <paramref name="p"/> (caller disposes).</summary>
    public DecodedImage ApplyBytes(DecodedImage image, ViewParams p)
    {
        using var planes = ApplyPlanes(image, p);
        var view = new DecodedImage(planes.Width, planes.Height, planes.Channels);
        planes.CopyTo(view);
        return view;
    }

    /// <summary>Writes the normalised C x Size x Size view for <paramref name="p"/> into <paramref name="chw"/>.</summary>
    public void Apply(DecodedImage image, ViewParams p, Span<float> chw)
    {
        ArgumentNullException.ThrowIfNull(image);
        int c = image.Channels;
        if (Mean.Count != c || Std.Count != c)
        {
            throw new ArgumentException($"mean/std have {Mean.Count}/{Std.Count} values for a {c}-channel image.", nameof(image));
        }

        Span<float> mean = stackalloc float[c], std = stackalloc float[c];
        for (int ch = 0; ch < c; ch++)
        {
            (mean[ch], std[ch]) = (Mean[ch], Std[ch]);
        }

        using var planes = ApplyPlanes(image, p);
        ImageOps.NormalizePlanes(planes, mean, std, chw);
    }

    /// <summary>The view for <paramref name="p"/> as planes (the caller disposes them).</summary>
    private protected abstract PlanarImage ApplyPlanes(DecodedImage image, ViewParams p);
}
