using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MoCo.Training.Models;

/// <summary>
/// ResNet-18/34/50 built as torchvision builds them, with the same parameter and buffer names (conv1.weight,
/// layer1.0.bn1.running_mean, fc.weight, …) so torchvision and official MoCo state dicts map one to one. Options:
/// small-image stem (3×3 stride 1, no max-pool), the stem's padding (solo-learn's CIFAR stem pads by 2), base width, 1 or 3 input channels, zero-init residual, split BN.
/// <see cref="ForwardFeatures"/> gives the pooled backbone features; <see cref="forward"/> adds the head <c>fc</c>.
/// </summary>
public sealed class ResNet : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly Module<Tensor, Tensor> bn1;
    private readonly MaxPool2d? maxpool;
    private readonly Sequential[] layers;
    private Module<Tensor, Tensor> fc;

    /// <summary>Builds the network and initialises it as torchvision does: Kaiming-normal (fan-out, ReLU) convolutions,
    /// BatchNorm γ = 1 and β = 0 (γ = 0 on each block's last BN with zero-init residual), PyTorch's default Linear init.</summary>
    public ResNet(ResNetOptions options) : base(nameof(ResNet))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Module<Tensor, Tensor> Norm(long c) => options.BnSplits > 1 ? new SplitBatchNorm2d(c, options.BnSplits) : nn.BatchNorm2d(c);

        long width = options.Width;
        conv1 = nn.Conv2d(options.InChannels, width, options.StemKernel, stride: options.SmallImages ? 1 : 2, padding: options.StemPaddingInForce, bias: false);
        bn1 = Norm(width);
        register_module("conv1", conv1);
        register_module("bn1", bn1);
        if (!options.SmallImages)
        {
            maxpool = nn.MaxPool2d(3, 2, 1);
            register_module("maxpool", maxpool);
        }
        int expansion = options.Bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion;
        long inPlanes = width;
        layers = new Sequential[4];
        for (int i = 0; i < 4; i++)
        {
            long planes = width << i;
            long stride = i == 0 ? 1 : 2;
            var layer = nn.Sequential();
            for (int b = 0; b < options.Layers[i]; b++)
            {
                Sequential? downsample = null;
                if (b == 0 && (stride != 1 || inPlanes != planes * expansion))
                    downsample = nn.Sequential(nn.Conv2d(inPlanes, planes * expansion, 1, stride: stride, bias: false), Norm(planes * expansion));
                long s = b == 0 ? stride : 1;
                layer.append(options.Bottleneck
                    ? new Bottleneck(inPlanes, planes, s, downsample, Norm)
                    : new BasicBlock(inPlanes, planes, s, downsample, Norm));
                inPlanes = planes * expansion;
            }
            layers[i] = layer;
            register_module($"layer{i + 1}", layer);
        }
        fc = nn.Linear(inPlanes, options.NumClasses);
        register_module("fc", fc);
        Initialise(options.ZeroInitResidual);
        if (options.ChannelsLast) UseChannelsLast();
    }

    /// <summary>Re-lays every 4-D parameter (the convolution weights) out channels-last, keeping the Parameter objects.</summary>
    private void UseChannelsLast()
    {
        foreach (var (_, p) in named_parameters())
        {
            if (p.dim() != 4) continue;
            bool requiresGrad = p.requires_grad;
            using (no_grad())
            using (Tensor relaid = p.ToChannelsLast())
            {
                p.set_(relaid);   // the Parameter object keeps its identity, its storage becomes the NHWC copy
            }
            p.requires_grad = requiresGrad;
        }
    }

    internal (Conv2d conv, Module<Tensor, Tensor> norm) Stem => (conv1, bn1);
    internal bool HasMaxPool => maxpool is not null;
    internal IReadOnlyList<Sequential> Layers => layers;

    /// <summary>How the network was built.</summary>
    public ResNetOptions Options { get; }

    /// <summary>The pooled feature dimension (input of <c>fc</c>).</summary>
    public int FeatureDim => Options.FeatureDim;

    /// <summary>The head after the pooled features (the "fc" module: a Linear, or MoCo v2's MLP).</summary>
    public Module<Tensor, Tensor> Head => fc;

    /// <summary>Replaces the head, registered under the same name "fc" (MoCo v2 wraps it in an MLP). The old head is
    /// not disposed: it usually lives on inside the new one.</summary>
    public void ReplaceHead(Module<Tensor, Tensor> head)
    {
        ArgumentNullException.ThrowIfNull(head);
        fc = head;
        register_module("fc", null!);   // TorchSharp: a null module unregisters the name
        register_module("fc", head);
    }

    private void Initialise(bool zeroInitResidual)
    {
        foreach (var (_, module) in named_modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                    break;
                case BatchNorm2d bn:
                    nn.init.ones_(bn.weight!);
                    nn.init.zeros_(bn.bias!);
                    break;
                case SplitBatchNorm2d sbn:
                    nn.init.ones_(sbn.weight);
                    nn.init.zeros_(sbn.bias);
                    break;
            }
        }
        if (!zeroInitResidual) return;
        foreach (var (_, module) in named_modules())
        {
            Module<Tensor, Tensor>? last = module switch
            {
                BasicBlock b => b.LastNorm,
                Bottleneck b => b.LastNorm,
                _ => null,
            };
            switch (last)
            {
                case BatchNorm2d bn: nn.init.zeros_(bn.weight!); break;
                case SplitBatchNorm2d sbn: nn.init.zeros_(sbn.weight); break;
            }
        }
    }

    /// <summary>The pooled backbone features, N × <see cref="FeatureDim"/>: what is exported and probed downstream.</summary>
    public Tensor ForwardFeatures(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        long[] s = input.shape;
        if (s.Length != 4 || s[1] != Options.InChannels)
            throw new ArgumentException($"the encoder expects N×{Options.InChannels}×H×W input, got [{string.Join(", ", s)}]", nameof(input));
        using var scope = NewDisposeScope();
        var x = Options.ChannelsLast ? input.ToChannelsLast() : input;
        x = bn1.forward(conv1.forward(x)).relu_();
        if (maxpool is not null) x = maxpool.forward(x);
        foreach (var layer in layers) x = layer.forward(x);
        return nn.functional.adaptive_avg_pool2d(x, [1, 1]).flatten(1).MoveToOuterDisposeScope();
    }

    /// <summary>Features through the head: N × NumClasses (MoCo: the embedding before L2 normalisation).</summary>
    public override Tensor forward(Tensor input)
    {
        using Tensor features = ForwardFeatures(input);
        return fc.forward(features);
    }
}
