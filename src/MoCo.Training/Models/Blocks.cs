using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MoCo.Training.Models;

/// <summary>The shortcut's 1×1 convolution and norm (through <see cref="ConvLayoutGuard"/>).</summary>
internal static class ShortcutPath
{
    internal static Tensor Forward(Sequential downsample, Tensor input)
    {
        using Tensor y = ConvLayoutGuard.Forward((Conv2d)downsample[0], input);
        return ((Module<Tensor, Tensor>)downsample[1]).forward(y);
    }

    /// <summary>The downsample's (convolution, norm) pair, or null without one (for export).</summary>
    internal static (Conv2d conv, Module<Tensor, Tensor> norm)? Pair(Sequential? downsample) =>
        downsample is null ? null : ((Conv2d)downsample[0], (Module<Tensor, Tensor>)downsample[1]);
}

/// <summary>Registers a residual block's modules under torchvision's names, so that state dicts match its keys.</summary>
internal static class BlockModules
{
    /// <summary>The main path's pairs as conv1, bn1, conv2, bn2, … in order, then the downsample if any.</summary>
    internal static void Register(Action<string, Module> register, IReadOnlyList<(Conv2d conv, Module<Tensor, Tensor> norm)> mainPath, Sequential? downsample)
    {
        for (int i = 0; i < mainPath.Count; i++)
        {
            register($"conv{i + 1}", mainPath[i].conv);
            register($"bn{i + 1}", mainPath[i].norm);
        }

        if (downsample is not null) register("downsample", downsample);
    }
}

/// <summary>torchvision's BasicBlock: two 3×3 convolutions and a residual; names conv1, bn1, conv2, bn2, downsample.</summary>
internal sealed class BasicBlock : Module<Tensor, Tensor>
{
    internal const int Expansion = 1;
    private readonly Conv2d conv1, conv2;
    private readonly Module<Tensor, Tensor> bn1, bn2;
    private readonly Sequential? downsample;

    internal BasicBlock(long inPlanes, long planes, long stride, Sequential? downsample, Func<long, Module<Tensor, Tensor>> norm)
        : base(nameof(BasicBlock))
    {
        conv1 = nn.Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false);
        bn1 = norm(planes);
        conv2 = nn.Conv2d(planes, planes, 3, padding: 1, bias: false);
        bn2 = norm(planes);
        this.downsample = downsample;
        BlockModules.Register(register_module, MainPath, downsample);
    }

    internal Module<Tensor, Tensor> LastNorm => bn2;

    /// <summary>The (convolution, norm) pairs of the main path in order, and the downsample pair if any (for export).</summary>
    internal IReadOnlyList<(Conv2d conv, Module<Tensor, Tensor> norm)> MainPath => [(conv1, bn1), (conv2, bn2)];
    internal (Conv2d conv, Module<Tensor, Tensor> norm)? Shortcut => ShortcutPath.Pair(downsample);

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = bn1.forward(conv1.forward(input)).relu_();
        x = bn2.forward(conv2.forward(x));
        var identity = downsample is null ? input : ShortcutPath.Forward(downsample, input);
        return x.add_(identity).relu_().MoveToOuterDisposeScope();
    }
}

/// <summary>torchvision's Bottleneck (v1.5: stride on the 3×3): 1×1, 3×3, 1×1 (×4) and a residual.</summary>
internal sealed class Bottleneck : Module<Tensor, Tensor>
{
    internal const int Expansion = 4;
    private readonly Conv2d conv1, conv2, conv3;
    private readonly Module<Tensor, Tensor> bn1, bn2, bn3;
    private readonly Sequential? downsample;

    internal Bottleneck(long inPlanes, long planes, long stride, Sequential? downsample, Func<long, Module<Tensor, Tensor>> norm)
        : base(nameof(Bottleneck))
    {
        conv1 = nn.Conv2d(inPlanes, planes, 1, bias: false);
        bn1 = norm(planes);
        conv2 = nn.Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false);
        bn2 = norm(planes);
        conv3 = nn.Conv2d(planes, planes * Expansion, 1, bias: false);
        bn3 = norm(planes * Expansion);
        this.downsample = downsample;
        BlockModules.Register(register_module, MainPath, downsample);
    }

    internal Module<Tensor, Tensor> LastNorm => bn3;

    /// <summary>The (convolution, norm) pairs of the main path in order, and the downsample pair if any (for export).</summary>
    internal IReadOnlyList<(Conv2d conv, Module<Tensor, Tensor> norm)> MainPath => [(conv1, bn1), (conv2, bn2), (conv3, bn3)];
    internal (Conv2d conv, Module<Tensor, Tensor> norm)? Shortcut => ShortcutPath.Pair(downsample);

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = bn1.forward(conv1.forward(input)).relu_();
        x = bn2.forward(conv2.forward(x)).relu_();
        x = bn3.forward(conv3.forward(x));
        var identity = downsample is null ? input : ShortcutPath.Forward(downsample, input);
        return x.add_(identity).relu_().MoveToOuterDisposeScope();
    }
}
