using System.Globalization;
using MoCo.Training.Models;

namespace MoCo.Training.Import;

/// <summary>
/// The ResNet a backbone's tensors describe (depth from the block counts and block kind, width and input channels from
/// conv1, stem from conv1's kernel), and the check that the tensors are exactly that network's: the names and shapes
/// expected come from building our <see cref="ResNet"/>, so they cannot drift from the model that loads them.
/// </summary>
internal static class EncoderShapes
{
    internal const string BatchesTracked = "num_batches_tracked";

    /// <summary>The encoder options the file's backbone tensors say, each overridden by <paramref name="given"/> where set;
    /// the stem's padding, which no shape tells, is <paramref name="given"/>'s, else <paramref name="layoutStemPadding"/>
    /// (the layout's code's), else the stem's usual one.</summary>
    internal static ResNetOptions Infer(IReadOnlyDictionary<string, SourceTensor> backbone, ImportOptions given, int? layoutStemPadding, Func<string> describe)
    {
        long[]? conv1 = backbone.TryGetValue("conv1.weight", out SourceTensor c) ? c.Tensor.Shape : null;
        if (conv1 is not { Length: 4 } && (given.Width is null || given.InChannels is null || given.SmallImages is null))
            throw new InvalidDataException("the backbone has no 4-D conv1.weight to read the width, input channels and stem from; the backbone's tensors: " + describe());
        bool bottleneck = backbone.Keys.Any(k => k.StartsWith("layer1.0.conv3.", StringComparison.Ordinal));
        int[] blocks = Enumerable.Range(1, 4).Select(l => BlockCount(backbone.Keys, l)).ToArray();
        ResNetArch? arch = given.Arch ?? (bottleneck, blocks) switch
        {
            (false, [2, 2, 2, 2]) => ResNetArch.ResNet18,
            (false, [3, 4, 6, 3]) => ResNetArch.ResNet34,
            (true, [3, 4, 6, 3]) => ResNetArch.ResNet50,
            _ => null,
        };
        if (arch is null)
            throw new InvalidDataException($"the backbone has {(bottleneck ? "bottleneck" : "basic")} blocks [{string.Join(", ", blocks)}] per layer, which is none of resnet18 [2, 2, 2, 2], resnet34 [3, 4, 6, 3], resnet50 (bottleneck) [3, 4, 6, 3]");
        bool? small = given.SmallImages ?? conv1![2] switch { 3 => true, 7 => false, _ => null };
        if (small is null)
            throw new InvalidDataException($"conv1.weight has a {conv1![2]}×{conv1[3]} kernel: neither the small-image 3×3 stem nor the ImageNet 7×7 one");
        var options = new ResNetOptions
        {
            Arch = arch.Value,
            Width = given.Width ?? checked((int)conv1![0]),
            InChannels = given.InChannels ?? checked((int)conv1![1]),
            SmallImages = small.Value,
            StemPadding = given.StemPadding ?? layoutStemPadding,
        };
        options.ValidateStemPadding();   // a padding given that the stem cannot take is the caller's error, not the file's
        return options.WithCanonicalStemPadding();
    }

    private static int BlockCount(IEnumerable<string> keys, int layer)
    {
        string prefix = "layer" + layer.ToString(CultureInfo.InvariantCulture) + ".";
        int count = 0;
        foreach (string k in keys)
        {
            if (!k.StartsWith(prefix, StringComparison.Ordinal)) continue;
            string rest = k[prefix.Length..];
            int dot = rest.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0 && int.TryParse(rest.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out int b)) count = Math.Max(count, b + 1);
        }
        return count;
    }

    /// <summary>The backbone's state entries (names, shapes, element types) of our ResNet built with <paramref name="options"/>, head left out.</summary>
    internal static IReadOnlyList<(string name, long[] shape, ScalarType dtype)> Expected(ResNetOptions options)
    {
        using var scope = NewDisposeScope();
        using var net = new ResNet(options with { NumClasses = 1 });
        return net.StateEntries()
            .Where(e => !e.name.StartsWith("fc.", StringComparison.Ordinal))
            .Select(e => (e.name, e.tensor.shape, e.tensor.dtype))
            .ToList();
    }

    /// <summary>Describes a network for messages: "resnet50 (width 64, ImageNet 7×7 stem, 3 input channels)", "resnet18
    /// (width 64, small-image 3×3 stem padded by 2, 3 input channels)" where the padding is not the stem's usual one.</summary>
    internal static string Describe(ResNetOptions o) =>
        $"{ResNetOptions.ArchName(o.Arch)} (width {o.Width}, {(o.SmallImages ? "small-image 3×3 stem" : "ImageNet 7×7 stem")}" +
        $"{(o.StemPadding is { } p ? $" padded by {p}" : "")}, {o.InChannels} input channel{(o.InChannels == 1 ? "" : "s")})";
}
