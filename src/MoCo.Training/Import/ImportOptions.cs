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
    /// <summary>Input channels, 1 or 3 (default: conv1's input channels).</summary>
    public int? InChannels { get; init; }
}
