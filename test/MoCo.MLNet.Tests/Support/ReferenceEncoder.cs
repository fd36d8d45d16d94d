using MoCo.Imaging;
using MoCo.Imaging.Transforms;
using TorchSharp;
using MoCo.Training.Export;
using MoCo.Training.Models;
using static TorchSharp.torch;

namespace MoCo.MLNet.Tests.Support;

/// <summary>
/// A small ResNet with moved weights and BatchNorm statistics, its ONNX export (with moco.* metadata), and the
/// reference features: MoCo.Imaging's torchvision-exact eval transform (checked against torchvision in
/// MoCo.Imaging.Tests), then MoCo.Training's eval-mode forward in libtorch.
/// </summary>
internal sealed class ReferenceEncoder : IDisposable
{
    private readonly ResNet _net;

    public ReferenceEncoder(int channels, int inputSize, int resize, int width = 8, int seed = 5, bool uint8Input = false)
    {
        Channels = channels;
        InputSize = inputSize;
        Resize = resize;
        Mean = channels == 3 ? [0.485, 0.456, 0.406] : [0.286];
        Std = channels == 3 ? [0.229, 0.224, 0.225] : [0.353];
        manual_seed(seed);
        _net = new ResNet(new ResNetOptions { Arch = ResNetArch.ResNet18, SmallImages = true, InChannels = channels, Width = width });
        using (var sgd = optim.SGD(_net.parameters(), 0.1, momentum: 0.9))
        {
            for (var step = 0; step < 3; step++)
            {
                using var scope = NewDisposeScope();
                sgd.zero_grad();
                var x = (randn(8, channels, inputSize, inputSize) * 2) + 0.5;
                nn.functional.cross_entropy(_net.forward(x), randint(0, _net.Options.NumClasses, [8], ScalarType.Int64)).backward();
                sgd.step();
            }
        }

        _net.eval();
        OnnxBytes = OnnxExporter.ToBytes(_net, new OnnxExportOptions { InputSize = inputSize, Resize = resize, Mean = Mean, Std = Std, Uint8Input = uint8Input });
    }

    public int Channels { get; }

    public int InputSize { get; }

    public int Resize { get; }

    public double[] Mean { get; }

    public double[] Std { get; }

    public int FeatureDimension => _net.FeatureDim;

    public byte[] OnnxBytes { get; }

    public EvalTransform Transform => new(Resize, InputSize) { Mean = Mean.Select(v => (float)v).ToArray(), Std = Std.Select(v => (float)v).ToArray() };

    /// <summary>The normalised CHW floats of an image file, as torchvision's eval transform gives them.</summary>
    public float[] Preprocess(string path)
    {
        using var image = ImageDecoder.Decode(path, new ImageDecodeOptions(Channels: Channels));
        var chw = new float[Channels * InputSize * InputSize];
        Transform.Apply(image, chw);
        return chw;
    }

    /// <summary>Features of preprocessed images (N·C·S·S values), row-major N x D.</summary>
    public float[] Features(float[] chw, int count)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = tensor(chw, [count, Channels, InputSize, InputSize]);
        return _net.ForwardFeatures(x).data<float>().ToArray();
    }

    /// <summary>Features of image files.</summary>
    public float[][] FeaturesOfFiles(IReadOnlyList<string> paths)
    {
        var chw = paths.SelectMany(Preprocess).ToArray();
        var flat = Features(chw, paths.Count);
        return Enumerable.Range(0, paths.Count).Select(i => flat.AsSpan(i * FeatureDimension, FeatureDimension).ToArray()).ToArray();
    }

    public void Dispose() => _net.Dispose();
}
