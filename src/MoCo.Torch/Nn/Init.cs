namespace MoCo.Torch;

public static partial class torch
{
    /// <summary>Neural-network modules and functions, as torch.nn.</summary>
    public static partial class nn
    {
        /// <summary>Weight initialisation as torch.nn.init (in place, without autograd, from the global generator).</summary>
        public static class init
        {
            /// <summary>Which fan the Kaiming initialisations scale by.</summary>
            public enum FanMode
            {
                /// <summary>Inputs per output: preserves the forward pass's variance.</summary>
                FanIn,
                /// <summary>Outputs per input: preserves the backward pass's variance (torchvision's ResNet).</summary>
                FanOut,
            }

            /// <summary>(fan_in, fan_out) of a weight: dim 1 and dim 0 times the receptive field.</summary>
            public static (long fanIn, long fanOut) calculate_fan_in_and_fan_out(Tensor tensor)
            {
                ArgumentNullException.ThrowIfNull(tensor);
                long[] s = tensor.shape;
                if (s.Length < 2) throw new ArgumentException($"fan in and fan out need at least 2 dimensions, the tensor has {s.Length}", nameof(tensor));
                long receptive = 1;
                for (int d = 2; d < s.Length; d++) receptive *= s[d];
                return (s[1] * receptive, s[0] * receptive);
            }

            /// <summary>The recommended gain of a nonlinearity: "relu" √2, "leaky_relu" √(2/(1+a²)), "linear"/"conv2d"/"sigmoid" 1, "tanh" 5/3.</summary>
            public static double calculate_gain(string nonlinearity, double param = 0.01) => nonlinearity switch
            {
                "linear" or "conv2d" or "sigmoid" => 1.0,
                "tanh" => 5.0 / 3,
                "relu" => Math.Sqrt(2.0),
                "leaky_relu" => Math.Sqrt(2.0 / (1 + param * param)),
                _ => throw new ArgumentException($"unknown nonlinearity '{nonlinearity}'", nameof(nonlinearity)),
            };

            /// <summary>U(a, b).</summary>
            public static Tensor uniform_(Tensor tensor, double a = 0, double b = 1)
            {
                ArgumentNullException.ThrowIfNull(tensor);
                using (no_grad()) tensor.uniform_(a, b);
                return tensor;
            }

            /// <summary>N(mean, std²).</summary>
            public static Tensor normal_(Tensor tensor, double mean = 0, double std = 1)
            {
                ArgumentNullException.ThrowIfNull(tensor);
                using (no_grad()) tensor.normal_(mean, std);
                return tensor;
            }

            /// <summary>Every element = value.</summary>
            public static Tensor constant_(Tensor tensor, double value)
            {
                ArgumentNullException.ThrowIfNull(tensor);
                using (no_grad()) tensor.fill_(value);
                return tensor;
            }

            /// <summary>Every element = 0.</summary>
            public static Tensor zeros_(Tensor tensor) => constant_(tensor, 0);

            /// <summary>Every element = 1.</summary>
            public static Tensor ones_(Tensor tensor) => constant_(tensor, 1);

            /// <summary>Kaiming (He) uniform: U(−bound, bound), bound = gain·√(3 / fan).</summary>
            public static Tensor kaiming_uniform_(Tensor tensor, double a = 0, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu")
            {
                double bound = Math.Sqrt(3.0) * KaimingStd(tensor, a, mode, nonlinearity);
                return uniform_(tensor, -bound, bound);
            }

            /// <summary>Kaiming (He) normal: N(0, std²), std = gain / √fan.</summary>
            public static Tensor kaiming_normal_(Tensor tensor, double a = 0, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu") =>
                normal_(tensor, 0, KaimingStd(tensor, a, mode, nonlinearity));

            private static double KaimingStd(Tensor tensor, double a, FanMode mode, string nonlinearity)
            {
                var (fanIn, fanOut) = calculate_fan_in_and_fan_out(tensor);
                long fan = mode == FanMode.FanIn ? fanIn : fanOut;
                return calculate_gain(nonlinearity, a) / Math.Sqrt(fan);
            }

            /// <summary>PyTorch's default for Linear and Conv layers: weight kaiming_uniform_(a=√5), i.e.
            /// U(±1/√fan_in), and bias U(±1/√fan_in).</summary>
            internal static void default_layer_init(Tensor weight, Tensor? bias)
            {
                kaiming_uniform_(weight, a: Math.Sqrt(5));
                if (bias is null) return;
                var (fanIn, _) = calculate_fan_in_and_fan_out(weight);
                double bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
                uniform_(bias, -bound, bound);
            }
        }
    }
}
