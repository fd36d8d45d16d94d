using MoCo.Imaging.Transforms;
using MoCo.Onnx.Metadata;

namespace MoCo.MLNet;

/// <summary>
/// The evaluation preprocessing of an encoder, as torchvision's <c>Resize(ResizeShorterSide)</c>,
/// <c>CenterCrop(CropSize)</c>, <c>ToTensor()</c>, <c>Normalize(Mean, Std)</c> on PIL images, done exactly by
/// MoCo.Imaging. Read from a MoCo export's metadata (<c>moco.*</c>), or given for any other ONNX model. MoCo.MLNet's
/// face of <see cref="EncoderPreprocessing"/> (MoCo.Onnx), which owns the keys, the checks and the saved forms.
/// </summary>
/// <param name="ResizeShorterSide">The shorter side after the bilinear (antialiased) resize, e.g. 256.</param>
/// <param name="CropSize">The side of the square centre crop the model takes, e.g. 224.</param>
/// <param name="Channels">1 (gray, PIL's <c>convert('L')</c>) or 3 (RGB).</param>
/// <param name="Mean">Per-channel mean on the 0–1 scale (one value per channel).</param>
/// <param name="Std">Per-channel standard deviation on the 0–1 scale.</param>
public sealed record MoCoPreprocessing(int ResizeShorterSide, int CropSize, int Channels, IReadOnlyList<float> Mean, IReadOnlyList<float> Std)
{
    /// <summary>ImageNet's recipe for 224-pixel RGB models: resize 256, crop 224, <see cref="ImageNetStatistics"/>' mean and std.</summary>
    public static MoCoPreprocessing ImageNet { get; } = new(EvalTransform.ReferenceResize, EvalTransform.ReferenceCrop, 3, ImageNetStatistics.MeanSingle, ImageNetStatistics.StdSingle);

    /// <summary>Number of values one preprocessed image has (Channels · CropSize²).</summary>
    public int ValueCount => ToEncoderPreprocessing().ValueCount;

    /// <summary>Checks the values; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public void Validate() => ToEncoderPreprocessing().Validate();

    /// <summary>The same preprocessing as MoCo.Onnx's contract (layout <see cref="EncoderInputLayout.NchwFloat"/>).</summary>
    public EncoderPreprocessing ToEncoderPreprocessing() => new(ResizeShorterSide, CropSize, Channels, Mean, Std);

    /// <summary>The resize, crop, channels, mean and std of <paramref name="preprocessing"/>.</summary>
    public static MoCoPreprocessing From(EncoderPreprocessing preprocessing)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        return new(preprocessing.ResizeShorterSide, preprocessing.CropSize, preprocessing.Channels, preprocessing.Mean, preprocessing.Std);
    }

    /// <summary>
    /// Reads <c>moco.resize</c>, <c>moco.input_size</c>, <c>moco.input_channels</c>, <c>moco.mean</c> and
    /// <c>moco.std</c> (written by <c>moco export</c>; <see cref="EncoderPreprocessing.FromMetadata"/>); null when the model carries none of them.
    /// </summary>
    /// <param name="metadata">The model's metadata_props.</param>
    /// <param name="source">The model, for messages.</param>
    /// <exception cref="InvalidDataException">Some keys are present but incomplete or unreadable.</exception>
    public static MoCoPreprocessing? FromMetadata(IReadOnlyDictionary<string, string> metadata, string source) =>
        EncoderPreprocessing.FromMetadata(metadata, source) is { } p ? From(p) : null;
}
