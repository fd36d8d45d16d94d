// A user's program on the MoCo.Training package: a small ResNet in libtorch, its ONNX export, and ONNX Runtime on the
// export must give libtorch's eval-mode features. Prints "PASS name: ..." or "FAIL name: ..." (test/Consumer/run.sh).
using System.Globalization;
using MoCo.Onnx;
using MoCo.Training.Export;
using MoCo.Training.Models;
using static TorchSharp.torch;

try
{
    manual_seed(0);
    using var net = new ResNet(new ResNetOptions { Arch = ResNetArch.ResNet18, SmallImages = true, InChannels = 3, Width = 4 });
    net.eval();
    var onnx = OnnxExporter.ToBytes(net, new OnnxExportOptions { InputSize = 16, Resize = 16, Mean = [0.5, 0.5, 0.5], Std = [0.25, 0.25, 0.25] });
    using var input = randn(2, 3, 16, 16);
    float[] expected;
    using (no_grad())
    {
        using var features = net.ForwardFeatures(input);
        expected = features.data<float>().ToArray();
    }

    using var session = OnnxSession.Open(onnx);
    var actual = session.Run(input.data<float>().ToArray(), [2, 3, 16, 16]).Values;
    var difference = actual.Length == expected.Length ? actual.Zip(expected).Max(p => Math.Abs(p.First - p.Second)) : float.PositiveInfinity;
    var ok = difference <= 1e-4f;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{(ok ? "PASS" : "FAIL")} export agrees with libtorch: {expected.Length} features, max |ONNX Runtime {OnnxSession.RuntimeVersion} - libtorch {__version__}| {difference:G3}"));
    return ok ? 0 : 1;
}
catch (Exception e)
{
    Console.WriteLine($"FAIL training package: {e.GetType().Name}: {e.Message}");
    return 1;
}
