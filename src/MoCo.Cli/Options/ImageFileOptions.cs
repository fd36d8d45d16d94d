using System.CommandLine;

namespace MoCo.Cli.Options;

/// <summary>How pretraining reads image files (folders, lists): view side, loader threads, scaled JPEG decoding.</summary>
internal sealed class ImageFileOptions
{
    internal Option<int?> InputSize { get; } = new("--input-size") { Description = "view side for image files (default 224; IDX views are the images' own side)" };

    internal Option<int?> Workers { get; } = new("--workers") { Description = "loader threads for image files (default: the processor count)" };

    internal Option<bool?> ScaledDecode { get; } = new("--scaled-decode") { Description = "DCT-scale large JPEGs while every crop keeps the view size (default true; false: full-size decode, bit-exact with torchvision + PIL)" };

    internal IEnumerable<Option> All => [InputSize, Workers, ScaledDecode];

    internal int WorkerCount(ParseResult r) => r.GetValue(Workers) ?? 0;

    internal bool Scaled(ParseResult r) => r.GetValue(ScaledDecode) ?? true;
}
