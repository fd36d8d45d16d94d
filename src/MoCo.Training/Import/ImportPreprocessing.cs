using MoCo.Imaging.Transforms;
using MoCo.Onnx.Metadata;
using MoCo.Training.Models;

namespace MoCo.Training.Import;

/// <summary>
/// How images are prepared for an imported encoder (torchvision's resize of the shorter side, centre crop, normalise),
/// recorded in our checkpoint and so in the exported model's metadata. Each value unset is filled by
/// <see cref="Resolve"/> from the network: an ImageNet-stem network takes the 224 centre crop of a 256 resize (the
/// evaluation of torchvision and MoCo's <c>main_lincls.py</c>); a small-image-stem network takes images at their own
/// size (resize = crop, <see cref="SmallImageInputSize"/> unless given); the mean and std are ImageNet's for the
/// network's channels (<see cref="ImageNetStatistics"/>).
/// </summary>
public sealed record ImportPreprocessing
{
    /// <summary>The crop an ImageNet-stem network takes unless given: 224.</summary>
    public const int ImageNetInputSize = EvalTransform.ReferenceCrop;

    /// <summary>The side a small-image-stem network takes unless given: 32, CIFAR's, which the small-stem ResNets of
    /// solo-learn's and lightly's releases are trained on.</summary>
    public const int SmallImageInputSize = 32;

    /// <summary>The side of the square centre crop the network takes (default: 224, or 32 for the small-image stem).</summary>
    public int? InputSize { get; init; }
    /// <summary>The shorter side images are resized to before the crop (default: <see cref="EvalTransform.ResizeFor"/> of
    /// the input size for the ImageNet stem, 224 → 256; the input size itself for the small-image stem).</summary>
    public int? Resize { get; init; }
    /// <summary>Per-channel mean on the 0–1 scale (default: <see cref="ImageNetStatistics.MeanFor"/> the network's channels).</summary>
    public IReadOnlyList<double>? Mean { get; init; }
    /// <summary>Per-channel standard deviation on the 0–1 scale (default: <see cref="ImageNetStatistics.StdFor"/>).</summary>
    public IReadOnlyList<double>? Std { get; init; }

    /// <summary>Every value filled for <paramref name="encoder"/>, given ones kept, and checked.</summary>
    /// <exception cref="ArgumentException">A value does not fit (mean or std not one per channel, resize below the crop).</exception>
    public ImportPreprocessing Resolve(ResNetOptions encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        int size = InputSize ?? (encoder.SmallImages ? SmallImageInputSize : ImageNetInputSize);
        if (size <= 0) throw new ArgumentException($"the input size must be positive, got {size}");
        var resolved = new ImportPreprocessing
        {
            InputSize = size,
            Resize = Resize ?? (encoder.SmallImages ? size : EvalTransform.ResizeFor(size)),
            Mean = Mean ?? ImageNetStatistics.MeanFor(encoder.InChannels),
            Std = Std ?? ImageNetStatistics.StdFor(encoder.InChannels),
        };
        if (resolved.Mean!.Count != encoder.InChannels || resolved.Std!.Count != encoder.InChannels)
            throw new ArgumentException($"the network takes {encoder.InChannels} channel(s): give one mean and one std per channel, got {resolved.Mean.Count} and {resolved.Std!.Count}");
        resolved.ToEncoderPreprocessing(encoder.InChannels).Validate();
        return resolved;
    }

    /// <summary>The preprocessing as the encoder-metadata contract describes it (mean and std as float32, as the export
    /// writes them). Needs every value set (<see cref="Resolve"/>).</summary>
    public EncoderPreprocessing ToEncoderPreprocessing(int channels)
    {
        if (InputSize is not { } size || Resize is not { } resize || Mean is null || Std is null)
            throw new InvalidOperationException("the preprocessing is not resolved: call Resolve first");
        return new EncoderPreprocessing(resize, size, channels, Mean.Select(v => (float)v).ToArray(), Std.Select(v => (float)v).ToArray());
    }
}
