using System.CommandLine;
using MoCo.Training.Import;

namespace MoCo.Cli.Options;

/// <summary>How images are prepared for an encoder, as its checkpoint records it (and the export writes it into the
/// model): <c>--input-size</c>, <c>--resize</c>, <c>--mean</c>, <c>--std</c>, each defaulting from the network
/// (<see cref="ImportPreprocessing"/>).</summary>
internal sealed class PreprocessingOptions
{
    internal Option<int?> InputSize { get; } = new("--input-size") { Description = "side of the centre crop the encoder takes (default 224 for the ImageNet stem, 32 for the small-image stem)" };

    internal Option<int?> Resize { get; } = new("--resize") { Description = "shorter side images are resized to before the crop (default: input size × 256/224 for the ImageNet stem, the input size for the small-image stem)" };

    internal Option<string?> Mean { get; } = new("--mean") { Description = "comma list: per-channel normalisation mean, 0–1 scale (default ImageNet's: 0.485,0.456,0.406; gray 0.449)" };

    internal Option<string?> Std { get; } = new("--std") { Description = "comma list: per-channel normalisation standard deviation (default ImageNet's: 0.229,0.224,0.225; gray 0.226)" };

    internal IEnumerable<Option> All => [InputSize, Resize, Mean, Std];

    /// <summary>The values given, each over <paramref name="defaults"/>' (what the file itself records, if anything); a
    /// recorded resize is dropped when another input size is given.</summary>
    internal ImportPreprocessing Get(ParseResult r, ImportPreprocessing defaults) => new()
    {
        InputSize = r.GetValue(InputSize) is { } size ? OptionValues.Positive(size, "--input-size") : defaults.InputSize,
        Resize = r.GetValue(Resize) is { } resize ? OptionValues.Positive(resize, "--resize")
            : r.GetValue(InputSize) is { } given && given != defaults.InputSize ? null : defaults.Resize,
        Mean = r.GetValue(Mean) is { } mean ? OptionValues.List(mean, OptionValues.Double, "--mean") : defaults.Mean,
        Std = r.GetValue(Std) is { } std ? OptionValues.List(std, OptionValues.Double, "--std") : defaults.Std,
    };
}
