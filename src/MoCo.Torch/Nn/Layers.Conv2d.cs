using static MoCo.Torch.torch.nn;

namespace MoCo.Torch.Modules;

/// <summary>2-D convolution over NCHW input, as torch.nn.Conv2d (parameters "weight" and, optionally, "bias").</summary>
public sealed class Conv2d : Module<Tensor, Tensor>
{
    internal Conv2d(long inChannels, long outChannels, long kernelSize, long stride, long padding, long dilation, long groups, bool bias)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernelSize <= 0 || stride <= 0 || groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"invalid Conv2d({inChannels}, {outChannels}, kernel {kernelSize}, stride {stride}, groups {groups})");
        Stride = [stride, stride];
        Padding = [padding, padding];
        Dilation = [dilation, dilation];
        Groups = groups;
        using (torch.NewDisposeScope())
        {
            weight = new Parameter(torch.empty([outChannels, inChannels / groups, kernelSize, kernelSize]));
            this.bias = bias ? new Parameter(torch.empty([outChannels])) : null;
        }
        register_parameter("weight", weight);
        register_parameter("bias", this.bias);
        init.default_layer_init(weight, this.bias);
    }

    /// <summary>(out, in/groups, k, k).</summary>
    public Parameter weight { get; }
    /// <summary>(out), or null.</summary>
    public Parameter? bias { get; }
    /// <summary>Stride (h, w).</summary>
    public long[] Stride { get; }
    /// <summary>Zero padding (h, w).</summary>
    public long[] Padding { get; }
    /// <summary>Dilation (h, w).</summary>
    public long[] Dilation { get; }
    /// <summary>Groups.</summary>
    public long Groups { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => functional.conv2d(input, weight, bias, Stride, Padding, Dilation, Groups);
}

/// <summary>x·Wᵀ + b, as torch.nn.Linear (parameters "weight" (out, in) and, optionally, "bias").</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    internal Linear(long inFeatures, long outFeatures, bool bias)
    {
        if (inFeatures <= 0 || outFeatures <= 0) throw new ArgumentException($"invalid Linear({inFeatures}, {outFeatures})");
        using (torch.NewDisposeScope())
        {
            weight = new Parameter(torch.empty([outFeatures, inFeatures]));
            this.bias = bias ? new Parameter(torch.empty([outFeatures])) : null;
        }
        register_parameter("weight", weight);
        register_parameter("bias", this.bias);
        init.default_layer_init(weight, this.bias);
    }

    /// <summary>(out, in).</summary>
    public Parameter weight { get; }
    /// <summary>(out), or null.</summary>
    public Parameter? bias { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => functional.linear(input, weight, bias);
}
