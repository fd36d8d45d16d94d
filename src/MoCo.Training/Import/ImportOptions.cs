using MoCo.Training.Models;

namespace MoCo.Training.Import;

/// <summary>What to assume when importing a checkpoint; every unset value is read from the file's tensor shapes.</summary>
public sealed record ImportOptions
{
    /// <summary>The layout (default <see cref="CheckpointLayout.Auto"/>: recognised from the keys).</summary>
    public CheckpointLayout Layout { get; init; } = CheckpointLayout.Auto;
    /// <summary>The depth (default: from the block counts and whether blocks are bottlenecks).</summary>
    public ResNetArch? Arch { get; init; }
    /// <summary>The base width (default: conv1's output channels).</summary>
    public int? Width { get; init; }
    /// <summary>Small-image 3×3 stem without max-pool (default: from conv1's kernel, 3×3 small, 7×7 ImageNet).</summary>
    public bool? SmallImages { get; init; }
    /// <summary>Zero padding of the stem's conv1 (default: the layout's, 2 for solo-learn's 3×3 CIFAR stem, else the stem's
    /// usual 1 for 3×3 and 3 for 7×7). No tensor shape tells it; give it for a file whose code padded its stem otherwise.</summary>
    public int? StemPadding { get; init; }
    /// <summary>Input channels, 1 or 3 (default: conv1's input channels).</summary>
    public int? InChannels { get; init; }
}
