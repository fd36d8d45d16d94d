namespace MoCo.Imaging.Transforms;

/// <summary>
/// The evaluation / feature-extraction preprocessing: Resize(shorter side) + CenterCrop + ToTensor +
/// Normalize, as torchvision on PIL. Defaults: resize 256, crop 224, <see cref="ImageNetStatistics"/>' mean and std.
/// For other crop sizes the resize follows the same ratio (<see cref="ResizeFor"/>).
/// </summary>
/// <param name="ResizeShorterSide">Shorter side after resizing, default <see cref="ReferenceResize"/> (256).</param>
/// <param name="CropSize">Square centre crop side, default <see cref="ReferenceCrop"/> (224).</param>
public sealed record EvalTransform(int ResizeShorterSide = EvalTransform.ReferenceResize, int CropSize = EvalTransform.ReferenceCrop)
{
    /// <summary>The resize of ImageNet evaluation (torchvision's reference scripts, MoCo's main_lincls.py): 256.</summary>
    public const int ReferenceResize = 256;

    /// <summary>The crop of ImageNet evaluation: 224.</summary>
    public const int ReferenceCrop = 224;

    /// <summary>The shorter side to resize to before a centre crop of <paramref name="cropSize"/>: the ImageNet ratio 256/224
    /// kept, round(cropSize · 256 / 224) (.NET's rounding, half to even), e.g. 224 → 256, 32 → 37, 96 → 110.</summary>
    public static int ResizeFor(int cropSize) => (int)Math.Round(cropSize * (double)ReferenceResize / ReferenceCrop);

    /// <summary>The transform for a centre crop of <paramref name="cropSize"/>, resized by <see cref="ResizeFor"/>, with the ImageNet statistics.</summary>
    public static EvalTransform ForCrop(int cropSize) => new(ResizeFor(cropSize), cropSize);

    /// <summary>ImageNet channel means as float32 (<see cref="ImageNetStatistics.MeanSingle"/>).</summary>
    public static IReadOnlyList<float> ImageNetMean => ImageNetStatistics.MeanSingle;

    /// <summary>ImageNet channel standard deviations as float32 (<see cref="ImageNetStatistics.StdSingle"/>).</summary>
    public static IReadOnlyList<float> ImageNetStd => ImageNetStatistics.StdSingle;

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
