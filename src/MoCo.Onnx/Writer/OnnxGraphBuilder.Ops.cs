namespace MoCo.Onnx.Writer;

/// <summary>Typed helpers for the operators an image encoder needs (ONNX operator specs, opset 17).</summary>
public sealed partial class OnnxGraphBuilder
{
    /// <summary>Conv (NCHW). <paramref name="pads"/> are [top, left, bottom, right].</summary>
    /// <param name="x">Input [N, C, H, W].</param>
    /// <param name="weight">Weights [M, C/group, kH, kW].</param>
    /// <param name="bias">Bias [M], or null for none.</param>
    /// <param name="kernel">Kernel shape [kH, kW].</param>
    /// <param name="strides">Strides; default [1, 1].</param>
    /// <param name="pads">Pads; default zeros.</param>
    /// <param name="dilations">Dilations; default [1, 1].</param>
    /// <param name="group">Groups; default 1.</param>
    public string Conv(string x, string weight, string? bias, long[] kernel, long[]? strides = null, long[]? pads = null,
        long[]? dilations = null, long group = 1)
    {
        var inputs = bias is null ? new[] { x, weight } : [x, weight, bias];
        return Node("Conv", inputs, null,
            OnnxAttribute.Ints("kernel_shape", kernel),
            OnnxAttribute.Ints("strides", strides ?? [1, 1]),
            OnnxAttribute.Ints("pads", pads ?? new long[kernel.Length * 2]),
            OnnxAttribute.Ints("dilations", dilations ?? [1, 1]),
            OnnxAttribute.Int("group", group))[0];
    }

    /// <summary>BatchNormalization in inference mode (running statistics): y = scale·(x − mean)/√(var + ε) + bias.</summary>
    /// <param name="x">Input [N, C, H, W].</param>
    /// <param name="scale">γ [C].</param>
    /// <param name="bias">β [C].</param>
    /// <param name="mean">Running mean [C].</param>
    /// <param name="variance">Running variance [C].</param>
    /// <param name="epsilon">ε; default 1e-5 (PyTorch's BatchNorm2d default).</param>
    public string BatchNormalization(string x, string scale, string bias, string mean, string variance, float epsilon = 1e-5f) =>
        Node("BatchNormalization", [x, scale, bias, mean, variance], null, OnnxAttribute.Float("epsilon", epsilon))[0];

    /// <summary>Relu.</summary>
    public string Relu(string x) => Node("Relu", [x])[0];

    /// <summary>MaxPool (NCHW). <paramref name="pads"/> are [top, left, bottom, right]; default zeros; strides default [1, 1].</summary>
    public string MaxPool(string x, long[] kernel, long[]? strides = null, long[]? pads = null) =>
        Node("MaxPool", [x], null,
            OnnxAttribute.Ints("kernel_shape", kernel),
            OnnxAttribute.Ints("strides", strides ?? [1, 1]),
            OnnxAttribute.Ints("pads", pads ?? new long[kernel.Length * 2]))[0];

    /// <summary>Elementwise a + b (numpy broadcasting).</summary>
    public string Add(string a, string b) => Node("Add", [a, b])[0];

    /// <summary>Elementwise a − b (numpy broadcasting).</summary>
    public string Sub(string a, string b) => Node("Sub", [a, b])[0];

    /// <summary>Elementwise a · b (numpy broadcasting).</summary>
    public string Mul(string a, string b) => Node("Mul", [a, b])[0];

    /// <summary>Elementwise a / b (numpy broadcasting).</summary>
    public string Div(string a, string b) => Node("Div", [a, b])[0];

    /// <summary>Elementwise max(a, b) (numpy broadcasting).</summary>
    public string Max(string a, string b) => Node("Max", [a, b])[0];

    /// <summary>GlobalAveragePool: [N, C, H, W] → [N, C, 1, 1].</summary>
    public string GlobalAveragePool(string x) => Node("GlobalAveragePool", [x])[0];

    /// <summary>Flatten to 2-D around <paramref name="axis"/> (default 1: [N, ...] → [N, rest]).</summary>
    public string Flatten(string x, long axis = 1) => Node("Flatten", [x], null, OnnxAttribute.Int("axis", axis))[0];

    /// <summary>Gemm: y = a·bᵀ + c when <paramref name="transB"/> (default true: PyTorch's Linear weight layout [out, in]).</summary>
    public string Gemm(string a, string b, string? c, bool transB = true) =>
        Node("Gemm", c is null ? [a, b] : [a, b, c], null,
            OnnxAttribute.Float("alpha", 1f), OnnxAttribute.Float("beta", 1f),
            OnnxAttribute.Int("transA", 0), OnnxAttribute.Int("transB", transB ? 1 : 0))[0];

    /// <summary>Cast to <paramref name="to"/>.</summary>
    public string Cast(string x, OnnxElementType to) => Node("Cast", [x], null, OnnxAttribute.Int("to", (long)to))[0];

    /// <summary>Transpose by <paramref name="perm"/> (e.g. [0, 3, 1, 2]: NHWC → NCHW).</summary>
    public string Transpose(string x, params long[] perm) => Node("Transpose", [x], null, OnnxAttribute.Ints("perm", perm))[0];

    /// <summary>ReduceL2 over <paramref name="axes"/> (opset 17: axes is an attribute).</summary>
    public string ReduceL2(string x, long[] axes, bool keepDims = true) =>
        Node("ReduceL2", [x], null, OnnxAttribute.Ints("axes", axes), OnnxAttribute.Int("keepdims", keepDims ? 1 : 0))[0];

    /// <summary>
    /// Raw uint8 NHWC pixels → normalised float NCHW: (x/255 − mean)/std per channel, computed as
    /// x·(1/(255·std)) − mean/std (one Mul and one Sub after Cast and Transpose).
    /// </summary>
    /// <param name="x">uint8 input [N, H, W, C].</param>
    /// <param name="mean">Per-channel mean on the 0–1 scale.</param>
    /// <param name="std">Per-channel standard deviation on the 0–1 scale.</param>
    public string NormalizeUInt8Nhwc(string x, ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        if (mean.Length != std.Length || mean.IsEmpty)
        {
            throw new ArgumentException($"mean ({mean.Length}) and std ({std.Length}) must have one value per channel.");
        }

        var c = mean.Length;
        var scale = new float[c];
        var shift = new float[c];
        for (var i = 0; i < c; i++)
        {
            if (!(std[i] > 0))
            {
                throw new ArgumentException($"std[{i}] = {std[i]} must be positive.", nameof(std));
            }

            scale[i] = 1f / (255f * std[i]);
            shift[i] = mean[i] / std[i];
        }

        var nchw = Transpose(Cast(x, OnnxElementType.Float), 0, 3, 1, 2);
        var scaled = Mul(nchw, Initializer(NewName("preprocess_scale"), scale, 1, c, 1, 1));
        return Sub(scaled, Initializer(NewName("preprocess_shift"), shift, 1, c, 1, 1));
    }

    /// <summary>
    /// L2-normalises rows of [N, D]: x / max(‖x‖₂, ε), PyTorch's F.normalize(x, dim=1) (ReduceL2, Max, Div).
    /// </summary>
    /// <param name="x">Input [N, D].</param>
    /// <param name="epsilon">ε; default 1e-12 (F.normalize's default).</param>
    public string L2Normalize(string x, float epsilon = 1e-12f)
    {
        var norm = ReduceL2(x, [1]);
        return Div(x, Max(norm, Initializer(NewName("l2_epsilon"), [epsilon])));
    }
}
