using static MoCo.Torch.torch.nn;

namespace MoCo.Torch.Modules;

/// <summary>max(x, 0), as torch.nn.ReLU.</summary>
public sealed class ReLU(bool inplace = false) : Module<Tensor, Tensor>
{
    /// <summary>Whether the input is overwritten.</summary>
    public bool Inplace { get; } = inplace;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => Inplace ? input.relu_().alias() : input.relu();
}

/// <summary>Returns its input (as another handle), as torch.nn.Identity.</summary>
public sealed class Identity : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.alias();
    }
}

/// <summary>2-D max pooling, as torch.nn.MaxPool2d.</summary>
public sealed class MaxPool2d(long kernelSize, long stride, long padding) : Module<Tensor, Tensor>
{
    private readonly long[] kernel = [kernelSize, kernelSize];
    private readonly long[] strides = [stride, stride];
    private readonly long[] pads = [padding, padding];

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => functional.max_pool2d(input, kernel, strides, pads);
}

/// <summary>Average pooling to a fixed output size, as torch.nn.AdaptiveAvgPool2d.</summary>
public sealed class AdaptiveAvgPool2d(long outputHeight, long outputWidth) : Module<Tensor, Tensor>
{
    private readonly long[] size = [outputHeight, outputWidth];

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => functional.adaptive_avg_pool2d(input, size);
}

/// <summary>Flattens dimensions start..end, as torch.nn.Flatten (default 1..−1).</summary>
public sealed class Flatten(long startDim = 1, long endDim = -1) : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.flatten(startDim, endDim);
    }
}

/// <summary>Runs its children in order, as torch.nn.Sequential; children are named "0", "1", ….</summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    private readonly List<Module<Tensor, Tensor>> layers = [];

    internal Sequential(IEnumerable<Module<Tensor, Tensor>> modules)
    {
        foreach (var m in modules) append(m);
    }

    /// <summary>Adds a layer at the end, named by its position.</summary>
    public void append(Module<Tensor, Tensor> module)
    {
        ArgumentNullException.ThrowIfNull(module);
        register_module(layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        layers.Add(module);
    }

    /// <summary>The number of layers.</summary>
    public int Count => layers.Count;

    /// <summary>The layer at <paramref name="index"/>.</summary>
    public Module<Tensor, Tensor> this[int index] => layers[index];

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        // Intermediate results are freed as soon as the next layer has consumed them.
        Tensor x = input.alias();
        foreach (var layer in layers)
        {
            Tensor next = layer.forward(x);
            x.Dispose();
            x = next;
        }
        return x;
    }
}
