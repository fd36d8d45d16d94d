namespace MoCo.Imaging.Transforms;

/// <summary>
/// The evaluation / feature-extraction preprocessing: Resize(shorter side) + CenterCrop + ToTensor +
/// Normalize, as torchvision on PIL. Defaults: 256, 224, ImageNet mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225).
/// </summary>
/// <param name="ResizeShorterSide">Shorter side after resizing, default 256.</param>
/// <param name="CropSize">Square centre crop side, default 224.</param>
public sealed record EvalTransform(int ResizeShorterSide = 256, int CropSize = 224)
{
    /// <summary>ImageNet channel means (torchvision's reference scripts).</summary>
    public static IReadOnlyList<float> ImageNetMean { get; } = [0.485f, 0.456f, 0.406f];

    /// <summary>ImageNet channel standard deviations.</summary>
    public static IReadOnlyList<float> ImageNetStd { get; } = [0.229f, 0.224f, 0.225f];

    /// <summary>Per-channel mean; default <see cref="ImageNetMean"/>. Needs one value per image channel (set e.g. [0.2860] for Fashion-MNIST gray).</summary>
    public IReadOnlyList<float> Mean { get; init; } = ImageNetMean;

    /// <summary>Per-channel std; default <see cref="ImageNetStd"/>.</summary>
    public IReadOnlyList<float> Std { get; init; } = ImageNetStd;

    /// <summary>Resizes and centre-crops <paramref name="image"/>, returning the 8-bit crop (caller disposes).</summary>
    public DecodedImage ApplyBytes(DecodedImage image)
    {
        using var resized = ImageOps.ResizeShorterSide(image, ResizeShorterSide);
        var box = ImageOps.CenterCropBox(resized.Width, resized.Height, CropSize);
        return ImageOps.ResizedCrop(resized, box, CropSize, CropSize);
    }

    /// <summary>Writes the normalised C x CropSize x CropSize floats of <paramref name="image"/> into <paramref name="chw"/>.</summary>
    public void Apply(DecodedImage image, Span<float> chw)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var crop = ApplyBytes(image);
        ImageOps.Normalize(crop, Mean.ToArray(), Std.ToArray(), chw);
    }
}
