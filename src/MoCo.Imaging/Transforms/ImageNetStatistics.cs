namespace MoCo.Imaging.Transforms;

/// <summary>
/// ImageNet's per-channel statistics on the 0–1 scale (torchvision's reference scripts, and MoCo's main_moco.py /
/// main_lincls.py), the one definition every default in MoCo.MLNet takes: <see cref="EvalTransform"/>,
/// <see cref="MoCoAugmentation"/>, the training config, the ONNX export options and MoCoFeatures' ImageNet preset.
/// </summary>
public static class ImageNetStatistics
{
    /// <summary>RGB means: 0.485, 0.456, 0.406.</summary>
    public static IReadOnlyList<double> Mean { get; } = [0.485, 0.456, 0.406];

    /// <summary>RGB standard deviations: 0.229, 0.224, 0.225.</summary>
    public static IReadOnlyList<double> Std { get; } = [0.229, 0.224, 0.225];

    /// <summary>One gray channel: the mean of the RGB means, 0.449 (what <c>moco pretrain</c> uses on gray image files).</summary>
    public const double GrayMean = 0.449;

    /// <summary>One gray channel: the mean of the RGB standard deviations, 0.226.</summary>
    public const double GrayStd = 0.226;

    /// <summary><see cref="Mean"/> as float32 (each the float nearest the decimal value).</summary>
    public static IReadOnlyList<float> MeanSingle { get; } = [.. Mean.Select(v => (float)v)];

    /// <summary><see cref="Std"/> as float32.</summary>
    public static IReadOnlyList<float> StdSingle { get; } = [.. Std.Select(v => (float)v)];

    /// <summary>The means for 3 channels (<see cref="Mean"/>) or 1 (<see cref="GrayMean"/>), as a new array.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channels"/> is neither 1 nor 3.</exception>
    public static double[] MeanFor(int channels) => channels switch
    {
        3 => [.. Mean],
        1 => [GrayMean],
        _ => throw new ArgumentOutOfRangeException(nameof(channels), channels, "ImageNet statistics exist for 1 or 3 channels"),
    };

    /// <summary>The standard deviations for 3 channels (<see cref="Std"/>) or 1 (<see cref="GrayStd"/>), as a new array.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channels"/> is neither 1 nor 3.</exception>
    public static double[] StdFor(int channels) => channels switch
    {
        3 => [.. Std],
        1 => [GrayStd],
        _ => throw new ArgumentOutOfRangeException(nameof(channels), channels, "ImageNet statistics exist for 1 or 3 channels"),
    };
}
