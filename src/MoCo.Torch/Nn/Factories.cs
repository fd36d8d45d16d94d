using MoCo.Torch.Modules;

namespace MoCo.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>A 2-D convolution, initialised as PyTorch does (U(±1/√fan_in) for weight and bias).</summary>
        public static Conv2d Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0,
            long dilation = 1, long groups = 1, bool bias = true) =>
            new(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias);

        /// <summary>A fully connected layer, initialised as PyTorch does.</summary>
        public static Linear Linear(long in_features, long out_features, bool bias = true) => new(in_features, out_features, bias);

        /// <summary>Batch normalisation (γ = 1, β = 0, running mean 0 and variance 1).</summary>
        public static BatchNorm2d BatchNorm2d(long num_features, double eps = 1e-5, double momentum = 0.1, bool affine = true,
            bool track_running_stats = true) => new(num_features, eps, momentum, affine, track_running_stats);

        /// <summary>max(x, 0).</summary>
        public static ReLU ReLU(bool inplace = false) => new(inplace);

        /// <summary>The identity.</summary>
        public static Identity Identity() => new();

        /// <summary>2-D max pooling (stride defaults to the kernel size).</summary>
        public static MaxPool2d MaxPool2d(long kernel_size, long? stride = null, long padding = 0) => new(kernel_size, stride ?? kernel_size, padding);

        /// <summary>Average pooling to (h, w).</summary>
        public static AdaptiveAvgPool2d AdaptiveAvgPool2d(long output_height, long output_width) => new(output_height, output_width);

        /// <summary>Flattens dimensions start..end.</summary>
        public static Flatten Flatten(long start_dim = 1, long end_dim = -1) => new(start_dim, end_dim);

        /// <summary>Layers run in order.</summary>
        public static Sequential Sequential(params Module<Tensor, Tensor>[] modules) => new(modules);
    }
}
