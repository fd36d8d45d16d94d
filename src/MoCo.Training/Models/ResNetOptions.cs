namespace MoCo.Training.Models;

/// <summary>The ResNet depths torchvision defines.</summary>
public enum ResNetArch
{
    /// <summary>BasicBlock ×[2, 2, 2, 2].</summary>
    ResNet18,
    /// <summary>BasicBlock ×[3, 4, 6, 3].</summary>
    ResNet34,
    /// <summary>Bottleneck ×[3, 4, 6, 3].</summary>
    ResNet50,
}

/// <summary>How to build a ResNet encoder. Defaults give torchvision's resnet50 on RGB with a 128-d output.</summary>
public sealed record ResNetOptions
{
    /// <summary>Depth (default ResNet-50).</summary>
    public ResNetArch Arch { get; init; } = ResNetArch.ResNet50;

    /// <summary>Channels of the stem and layer1 (torchvision: 64); the layers have w, 2w, 4w, 8w (×4 for bottlenecks).</summary>
    public int Width { get; init; } = 64;

    /// <summary>Small images (CIFAR-style, Fashion-MNIST): a 3×3 stride-1 stem and no max-pool. Default false.</summary>
    public bool SmallImages { get; init; }

    /// <summary>Zero padding on each side of the stem's <c>conv1</c>; null (default): the stem's usual padding, 1 for the
    /// small-image 3×3 stem and 3 for the ImageNet 7×7 one (<see cref="StemPaddingInForce"/>). solo-learn's CIFAR backbones
    /// pad their 3×3 stem by 2, so a 32-px image leaves it at 34 px and every later map is a pixel or two larger
    /// (34, 17, 9, 5). Set only when it differs from the usual, so that configs of every other network read as before.</summary>
    public int? StemPadding { get; init; }

    /// <summary>Input channels: 3 (RGB, default) or 1 (gray).</summary>
    public int InChannels { get; init; } = 3;

    /// <summary>Outputs of the final <c>fc</c> layer (MoCo: the 128-d embedding). Default 128.</summary>
    public int NumClasses { get; init; } = 128;

    /// <summary>Zero-initialise the last BatchNorm of each residual block (torchvision's zero_init_residual). Default false.</summary>
    public bool ZeroInitResidual { get; init; }

    /// <summary>BatchNorm over this many sub-batches in training (1: ordinary BatchNorm; MoCo's CIFAR demo: 8).</summary>
    public int BnSplits { get; init; } = 1;

    /// <summary>Lay activations and convolution weights out channels-last (NHWC): oneDNN's convolutions run faster
    /// on the CPU; split BN copies to NCHW around libtorch's BatchNorm kernel. Results equal the NCHW layout's up to float rounding.
    /// Default false.</summary>
    public bool ChannelsLast { get; init; }

    /// <summary>Blocks per layer.</summary>
    internal int[] Layers => Arch switch
    {
        ResNetArch.ResNet18 => [2, 2, 2, 2],
        ResNetArch.ResNet34 => [3, 4, 6, 3],
        ResNetArch.ResNet50 => [3, 4, 6, 3],
        _ => throw new ArgumentOutOfRangeException(nameof(Arch), Arch, "unknown ResNet"),
    };

    /// <summary>The stem's kernel side: 3 (small-image stem) or 7 (ImageNet stem).</summary>
    internal int StemKernel => SmallImages ? 3 : 7;

    /// <summary>The usual padding of the stem: 1 for the 3×3 kernel, 3 for the 7×7 (half the kernel, as torchvision).</summary>
    internal int UsualStemPadding => StemKernel / 2;

    /// <summary>The padding conv1 is built with: <see cref="StemPadding"/>, else the stem's usual one.</summary>
    public int StemPaddingInForce => StemPadding ?? UsualStemPadding;

    /// <summary>These options with <see cref="StemPadding"/> null where it equals the stem's usual padding: one spelling
    /// per network, so that equal networks compare and serialise equal.</summary>
    internal ResNetOptions WithCanonicalStemPadding() => StemPadding == UsualStemPadding ? this with { StemPadding = null } : this;

    /// <summary>Whether blocks are bottlenecks (expansion 4).</summary>
    internal bool Bottleneck => Arch == ResNetArch.ResNet50;

    /// <summary>The pooled feature dimension: 8·width, ×4 for bottlenecks (ResNet-50: 2048).</summary>
    public int FeatureDim => Width * 8 * (Bottleneck ? 4 : 1);

    /// <summary>Parses "resnet18", "resnet34" or "resnet50".</summary>
    public static ResNetArch ParseArch(string name) => name.Trim().ToLowerInvariant() switch
    {
        "resnet18" => ResNetArch.ResNet18,
        "resnet34" => ResNetArch.ResNet34,
        "resnet50" => ResNetArch.ResNet50,
        _ => throw new ArgumentException($"unknown architecture '{name}': use resnet18, resnet34 or resnet50", nameof(name)),
    };

    /// <summary>The lower-case torchvision name ("resnet50").</summary>
    public static string ArchName(ResNetArch arch) => arch.ToString().ToLowerInvariant();

    internal void ValidateStemPadding()
    {
        if (StemPadding is { } p && (p < 0 || p >= StemKernel))
            throw new ArgumentException($"the stem padding must lie in [0, {StemKernel - 1}] for the {StemKernel}×{StemKernel} stem, got {p}");
    }

    internal void Validate()
    {
        if (Width <= 0) throw new ArgumentException($"width must be positive, got {Width}");
        if (InChannels is not (1 or 3)) throw new ArgumentException($"input channels must be 1 or 3, got {InChannels}");
        if (NumClasses <= 0) throw new ArgumentException($"the output dimension must be positive, got {NumClasses}");
        if (BnSplits <= 0) throw new ArgumentException($"BN splits must be positive, got {BnSplits}");
        ValidateStemPadding();
    }
}
