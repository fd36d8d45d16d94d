using MoCo.Torch.Native;

namespace MoCo.Torch;

/// <summary>How a loss reduces over the batch (numbered as ATen's Reduction).</summary>
public enum Reduction
{
    /// <summary>One loss per element.</summary>
    None = 0,
    /// <summary>The mean (the default).</summary>
    Mean = 1,
    /// <summary>The sum.</summary>
    Sum = 2,
}

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Stateless neural-network functions, as torch.nn.functional.</summary>
        public static class functional
        {
            /// <summary>2-D convolution of NCHW input with an (out, in/groups, kh, kw) weight.</summary>
            public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null,
                long[]? dilation = null, long groups = 1)
            {
                stride ??= [1, 1];
                if (OneDnnStridedPointwiseBug(input, weight, stride, groups))
                {
                    // Debian libtorch 1.13.1's oneDNN corrupts the heap in the backward of a channels-last 1x1 strided
                    // convolution with 2-7 input channels per group (seen on AVX2 AMD EPYC; also from Python). That
                    // layer (a narrow ResNet's shortcut) runs in NCHW instead, and its output goes back to channels-last.
                    using var nchwInput = input.contiguous();
                    using var nchwWeight = weight.contiguous();
                    using var nchw = Conv(nchwInput, nchwWeight, bias, stride, padding, dilation, groups);
                    return nchw.contiguous(MemoryFormat.ChannelsLast);
                }

                return Conv(input, weight, bias, stride, padding, dilation, groups);
            }

            private static Tensor Conv(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[]? padding, long[]? dilation, long groups) =>
                CallFrame.Begin().Add(input).Add(weight).AddOptional(bias).Add(stride).Add(padding ?? [0, 0])
                    .Add(dilation ?? [1, 1]).Add(groups).Call(Aten.Conv2d);

            /// <summary>The layer shape that crashes oneDNN (see <see cref="conv2d"/>), in a non-NCHW layout on the CPU.</summary>
            internal static bool OneDnnStridedPointwiseBug(Tensor input, Tensor weight, long[] stride, long groups)
            {
                // Cheapest tests first: most convolutions have stride 1 and leave without a native call.
                if (stride[0] == 1 && stride[^1] == 1) return false;
                if (weight.dim() != 4) return false;
                long[] shape = weight.shape;
                return shape[2] == 1 && shape[3] == 1 && shape[1] is >= 2 and < 8 && groups >= 1
                    && input.device.Type == DeviceType.CPU && (!input.is_contiguous() || !weight.is_contiguous());
            }

            /// <summary>
            /// Batch normalisation. In training, normalises with the batch's statistics and, when running buffers are
            /// given, updates them in place: running = (1 − momentum)·running + momentum·batch (unbiased variance).
            /// Otherwise normalises with the running buffers.
            /// </summary>
            public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null, Tensor? bias = null,
                bool training = false, double momentum = 0.1, double eps = 1e-5) =>
                CallFrame.Begin().Add(input).AddOptional(weight).AddOptional(bias).AddOptional(running_mean).AddOptional(running_var)
                    .Add(training).Add(momentum).Add(eps).Add(true).Call(Aten.BatchNorm);

            /// <summary>
            /// Training-mode batch normalisation over <paramref name="splits"/> sub-batches (sample n in sub-batch n mod
            /// splits), fused in the shim for channels-last float CPU input; updates the running statistics with the mean of
            /// the sub-batches' updates. Returns null when the input does not qualify (the caller then uses
            /// <see cref="batch_norm"/> on a regrouped view).
            /// </summary>
            public static Tensor? split_batch_norm_fused(Tensor input, Tensor weight, Tensor bias, Tensor running_mean, Tensor running_var,
                long splits, double momentum = 0.1, double eps = 1e-5)
            {
                ArgumentNullException.ThrowIfNull(input);
                NativeTensorInfo info = input.Info();
                if (info.IsChannelsLast == 0 || info.DType != (int)ScalarType.Float32 || info.DeviceType != (int)DeviceType.CPU) return null;
                return new Tensor(TorchCheck.Handle(NativeMethods.moco_split_batch_norm(input.Handle, weight.Handle, bias.Handle,
                    running_mean.Handle, running_var.Handle, splits, momentum, eps)));
            }

            /// <summary>max(x, 0).</summary>
            public static Tensor relu(Tensor input, bool inplace = false) => inplace ? input.relu_() : input.relu();

            /// <summary>2-D max pooling; stride defaults to the kernel size.</summary>
            public static Tensor max_pool2d(Tensor input, long[] kernel_size, long[]? stride = null, long[]? padding = null,
                long[]? dilation = null, bool ceil_mode = false) =>
                CallFrame.Begin().Add(input).Add(kernel_size).Add(stride ?? kernel_size).Add(padding ?? [0, 0])
                    .Add(dilation ?? [1, 1]).Add(ceil_mode).Call(Aten.MaxPool2d);

            /// <summary>2-D average pooling; stride defaults to the kernel size.</summary>
            public static Tensor avg_pool2d(Tensor input, long[] kernel_size, long[]? stride = null, long[]? padding = null,
                bool ceil_mode = false, bool count_include_pad = true) =>
                CallFrame.Begin().Add(input).Add(kernel_size).Add(stride ?? kernel_size).Add(padding ?? [0, 0])
                    .Add(ceil_mode).Add(count_include_pad).AddNone().Call(Aten.AvgPool2d);

            /// <summary>Average pooling to a fixed output size (1×1: global average pooling).</summary>
            public static Tensor adaptive_avg_pool2d(Tensor input, long[] output_size) =>
                CallFrame.Begin().Add(input).Add(output_size).Call(Aten.AdaptiveAvgPool2d);

            /// <summary>x·Wᵀ + b.</summary>
            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null) =>
                CallFrame.Begin().Add(input).Add(weight).AddOptional(bias).Call(Aten.Linear);

            /// <summary>x / max(‖x‖_p, eps) along <paramref name="dim"/>, as torch.nn.functional.normalize.</summary>
            public static Tensor normalize(Tensor input, double p = 2, long dim = 1, double eps = 1e-12)
            {
                using Tensor norm = input.norm(p, [dim], keepdim: true);
                using Tensor clamped = norm.clamp_min(eps);
                using Tensor expanded = clamped.expand_as(input);
                return input.div(expanded);
            }

            /// <summary>log(softmax(x)) along <paramref name="dim"/>.</summary>
            public static Tensor log_softmax(Tensor input, long dim, ScalarType? dtype = null) =>
                CallFrame.Begin().Add(input).Add(dim).AddOptional(dtype).Call(Aten.LogSoftmax);

            /// <summary>softmax along <paramref name="dim"/>.</summary>
            public static Tensor softmax(Tensor input, long dim, ScalarType? dtype = null) =>
                CallFrame.Begin().Add(input).Add(dim).AddOptional(dtype).Call(Aten.Softmax);

            /// <summary>Cross-entropy of logits (N, C) against class indices (N, Int64).</summary>
            public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean,
                long ignore_index = -100, double label_smoothing = 0.0) =>
                CallFrame.Begin().Add(input).Add(target).AddOptional(weight).Add((long)reduction).Add(ignore_index).Add(label_smoothing)
                    .Call(Aten.CrossEntropyLoss);

            /// <summary>Negative log-likelihood of log-probabilities (N, C) against class indices.</summary>
            public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean,
                long ignore_index = -100) =>
                CallFrame.Begin().Add(input).Add(target).AddOptional(weight).Add((long)reduction).Add(ignore_index).Call(Aten.NllLoss);

            /// <summary>Mean squared error.</summary>
            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                CallFrame.Begin().Add(input).Add(target).Add((long)reduction).Call(Aten.MseLoss);

            /// <summary>
            /// Samples <paramref name="input"/> (N, C, H, W) at the normalised coordinates of <paramref name="grid"/>
            /// (N, Ho, Wo, 2): batched crops, flips and resizes in one call. mode: "bilinear" or "nearest";
            /// padding_mode: "zeros", "border" or "reflection".
            /// </summary>
            public static Tensor grid_sample(Tensor input, Tensor grid, string mode = "bilinear", string padding_mode = "zeros",
                bool align_corners = false)
            {
                long m = mode switch
                {
                    "bilinear" => 0,
                    "nearest" => 1,
                    "bicubic" => 2,
                    _ => throw new ArgumentException($"grid_sample mode '{mode}' is not bilinear, nearest or bicubic", nameof(mode)),
                };
                long pad = padding_mode switch
                {
                    "zeros" => 0,
                    "border" => 1,
                    "reflection" => 2,
                    _ => throw new ArgumentException($"padding mode '{padding_mode}' is not zeros, border or reflection", nameof(padding_mode)),
                };
                return CallFrame.Begin().Add(input).Add(grid).Add(m).Add(pad).Add(align_corners).Call(Aten.GridSampler);
            }

            /// <summary>The sampling grid (N, H, W, 2) of affine matrices <paramref name="theta"/> (N, 2, 3) for an output of <paramref name="size"/> (N, C, H, W).</summary>
            public static Tensor affine_grid(Tensor theta, long[] size, bool align_corners = false) =>
                CallFrame.Begin().Add(theta).Add(size).Add(align_corners).Call(Aten.AffineGridGenerator);

            /// <summary>Resizes NCHW input to <paramref name="size"/> (H, W). mode: "bilinear" or "nearest";
            /// <paramref name="antialias"/> (bilinear only) low-passes when shrinking, as Pillow does.</summary>
            public static Tensor interpolate(Tensor input, long[] size, string mode = "bilinear", bool align_corners = false, bool antialias = false)
            {
                ArgumentNullException.ThrowIfNull(size);
                if (size.Length != 2) throw new ArgumentException($"size must be (H, W), got {size.Length} values", nameof(size));
                return mode switch
                {
                    "bilinear" => CallFrame.Begin().Add(input).Add(size).Add(align_corners).AddNone().AddNone()
                        .Call(antialias ? Aten.UpsampleBilinear2dAA : Aten.UpsampleBilinear2d),
                    "nearest" when !antialias => CallFrame.Begin().Add(input).Add(size).AddNone().AddNone().Call(Aten.UpsampleNearest2d),
                    _ => throw new ArgumentException($"interpolate mode '{mode}' (antialias {antialias}) is not supported: use bilinear or nearest", nameof(mode)),
                };
            }
        }
    }
}
