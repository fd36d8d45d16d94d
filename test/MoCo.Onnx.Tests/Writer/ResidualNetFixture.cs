using MoCo.Onnx.Tests.Support;
using MoCo.Onnx.Writer;

namespace MoCo.Onnx.Tests.Writer;

/// <summary>
/// A small ResNet-shaped net (conv→BN→relu→maxpool→basic block with residual add→GAP→flatten→gemm)
/// with seeded random weights, written by our graph builder; PyTorch computes the reference from the
/// same weights (raw float32 files), functional ops only, so nothing is shared with our graph but the numbers.
/// </summary>
internal sealed class ResidualNetFixture : IDisposable
{
    internal static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    internal static readonly float[] Std = [0.229f, 0.224f, 0.225f];
    internal static readonly int[] Batches = [1, 37];

    private readonly Dictionary<string, (float[] Values, long[] Dims)> _weights = [];
    private readonly TempDir _dir = new();

    internal ResidualNetFixture()
    {
        var random = new Random(20261123);
        float[] Uniform(int n, double lo, double hi) => Enumerable.Range(0, n).Select(_ => (float)(lo + (hi - lo) * random.NextDouble())).ToArray();
        void Add(string name, float[] v, params long[] dims) => _weights[name] = (v, dims);
        void Bn(string p)
        {
            Add(p + ".weight", Uniform(8, 0.5, 1.5), 8);
            Add(p + ".bias", Uniform(8, -0.2, 0.2), 8);
            Add(p + ".mean", Uniform(8, -0.5, 0.5), 8);
            Add(p + ".var", Uniform(8, 0.5, 2.0), 8);
        }

        Add("stem", Uniform(8 * 3 * 9, -0.3, 0.3), 8, 3, 3, 3);
        Bn("bn0");
        Add("c1", Uniform(8 * 8 * 9, -0.15, 0.15), 8, 8, 3, 3);
        Bn("bn1");
        Add("c2", Uniform(8 * 8 * 9, -0.15, 0.15), 8, 8, 3, 3);
        Bn("bn2");
        Add("fc.weight", Uniform(10 * 8, -0.5, 0.5), 10, 8);
        Add("fc.bias", Uniform(10, -0.1, 0.1), 10);

        foreach (var (name, (values, _)) in _weights)
        {
            WriteFloats(File($"w_{name}.bin"), values);
        }

        foreach (var b in Batches)
        {
            WriteFloats(File($"in_{b}.bin"), Uniform(b * 3 * 16 * 16, -2, 2));
            var pixels = new byte[b * 16 * 16 * 3];
            random.NextBytes(pixels);
            System.IO.File.WriteAllBytes(File($"in_u8_{b}.bin"), pixels);
        }
    }

    internal string Dir => _dir.Path;

    internal string File(string name) => _dir.File(name);

    /// <summary>Builds the graph: float NCHW or uint8 NHWC input "image", output "features" [N, 10], optionally L2-normalised.</summary>
    internal OnnxGraphBuilder Build(bool uint8Input = false, bool normalize = false)
    {
        var g = new OnnxGraphBuilder("residual_net");
        string W(string name) => g.Initializer(name, _weights[name].Values, _weights[name].Dims);
        string Bn(string x, string p) => g.BatchNormalization(x, W(p + ".weight"), W(p + ".bias"), W(p + ".mean"), W(p + ".var"));
        string Conv3(string x, string w) => g.Conv(x, W(w), null, kernel: [3, 3], pads: [1, 1, 1, 1]);

        var x = uint8Input
            ? g.NormalizeUInt8Nhwc(g.Input("image", OnnxElementType.UInt8, -1, 16, 16, 3), Mean, Std)
            : g.Input("image", OnnxElementType.Float, -1, 3, 16, 16);
        x = g.MaxPool(g.Relu(Bn(Conv3(x, "stem"), "bn0")), kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1]); // N x 8 x 8 x 8
        var y = g.Relu(Bn(Conv3(x, "c1"), "bn1"));
        y = Bn(Conv3(y, "c2"), "bn2");
        x = g.Relu(g.Add(y, x));
        var features = g.Gemm(g.Flatten(g.GlobalAveragePool(x)), W("fc.weight"), W("fc.bias")); // N x 10
        if (normalize)
        {
            features = g.L2Normalize(features);
        }

        g.Output(features, "features", OnnxElementType.Float, -1, 10);
        return g;
    }

    /// <summary>PyTorch's outputs for every batch and variant, and onnx.checker (full check) on each given file.</summary>
    internal string RunReference(params string[] modelsToCheck) =>
        PythonReference.Run(ReferenceScript + string.Concat(modelsToCheck.Select(m =>
            $"onnx.checker.check_model(onnx.load('{m}'), full_check=True); print('checked {Path.GetFileName(m)}')\n")), Dir);

    private const string ReferenceScript = """
import numpy as np, torch, torch.nn.functional as F, onnx
def w(n, *shape): return torch.from_numpy(np.fromfile(f'w_{n}.bin', dtype='<f4').reshape(shape))
def bn(x, p): return F.batch_norm(x, w(p + '.mean', 8), w(p + '.var', 8), w(p + '.weight', 8), w(p + '.bias', 8), False, 0.0, 1e-5)
def net(x):
    x = F.max_pool2d(F.relu(bn(F.conv2d(x, w('stem', 8, 3, 3, 3), padding=1), 'bn0')), 3, 2, 1)
    y = F.relu(bn(F.conv2d(x, w('c1', 8, 8, 3, 3), padding=1), 'bn1'))
    y = bn(F.conv2d(y, w('c2', 8, 8, 3, 3), padding=1), 'bn2')
    x = F.relu(y + x)
    return F.linear(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1), w('fc.weight', 10, 8), w('fc.bias', 10))
mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1); std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
with torch.no_grad():
    for b in [1, 37]:
        x = torch.from_numpy(np.fromfile(f'in_{b}.bin', dtype='<f4').reshape(b, 3, 16, 16))
        out = net(x)
        out.numpy().astype('<f4').tofile(f'out_{b}.bin')
        F.normalize(out, dim=1).numpy().astype('<f4').tofile(f'out_norm_{b}.bin')
        xu = torch.from_numpy(np.fromfile(f'in_u8_{b}.bin', dtype=np.uint8).reshape(b, 16, 16, 3))
        xf = (xu.permute(0, 3, 1, 2).float() / 255 - mean) / std
        net(xf).numpy().astype('<f4').tofile(f'out_u8_{b}.bin')

""";

    private static void WriteFloats(string path, float[] values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        System.IO.File.WriteAllBytes(path, bytes);
    }

    public void Dispose() => _dir.Dispose();
}
