using System.Diagnostics;
using System.Globalization;
using MoCo.Onnx;
using TorchSharp;
using MoCo.Training.Export;
using MoCo.Training.Models;
using static TorchSharp.torch;

// Feature extraction throughput of an encoder, eval mode, same threads: ONNX Runtime through MoCo.Onnx's OnnxSession on the
// exported file, and libtorch 2.10's eval forward through TorchSharp (NCHW and channels-last). PyTorch eager on the same
// architecture runs from eager.py. Usage: run.sh [threads]
int threads = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2;
set_num_threads(threads);
var cases = new (string name, ResNetOptions options, int size, int batch, int reps)[]
{
    ("fmnist-r18w16-28", new ResNetOptions { Arch = ResNetArch.ResNet18, Width = 16, SmallImages = true, InChannels = 1 }, 28, 256, 10),
    ("resnet50-224", new ResNetOptions { Arch = ResNetArch.ResNet50 }, 224, 1, 20),
    ("resnet50-224", new ResNetOptions { Arch = ResNetArch.ResNet50 }, 224, 32, 3),
};
foreach (var (name, options, size, batch, reps) in cases)
{
    manual_seed(0);
    using var net = new ResNet(options);
    net.eval();
    int c = options.InChannels;
    byte[] model = OnnxExporter.ToBytes(net, new OnnxExportOptions { InputSize = size, Mean = Enumerable.Repeat(0.5, c).ToArray(), Std = Enumerable.Repeat(0.5, c).ToArray() });
    using var session = OnnxSession.Open(model, new OnnxSessionOptions { IntraOpThreads = threads, InterOpThreads = 1 });
    using var x = randn([batch, c, size, size]).DetachFromDisposeScope();
    float[] input = x.data<float>().ToArray();
    long[] shape = [batch, c, size, size];
    var output = new float[batch * (long)net.FeatureDim];

    double Rate(Action run)
    {
        run();
        var samples = new List<double>();
        for (int round = 0; round < 3; round++)
        {
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < reps; i++) run();
            samples.Add(batch * reps / watch.Elapsed.TotalSeconds);
        }
        return samples.Max();
    }

    double ort = Rate(() => session.RunInto(input, shape, output));
    double torchNchw = Rate(() => { using var s = NewDisposeScope(); using var g = no_grad(); net.ForwardFeatures(x); });
    using var netCl = new ResNet(options with { ChannelsLast = true });
    netCl.load_state_dict(net.state_dict());   // TorchSharp's copy_ keeps netCl's channels-last weights
    netCl.eval();
    double torchCl = Rate(() => { using var s = NewDisposeScope(); using var g = no_grad(); netCl.ForwardFeatures(x); });
    Console.WriteLine(FormattableString.Invariant(
        $"{name} batch {batch}: ORT (OnnxSession) {ort:F1}/s, libtorch eval via TorchSharp {torchNchw:F1}/s (channels-last {torchCl:F1}/s)"));
}
