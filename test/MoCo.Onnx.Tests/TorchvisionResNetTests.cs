using MoCo.Onnx.Tests.Support;

namespace MoCo.Onnx.Tests;

/// <summary>A torchvision ResNet-18 (random weights, non-trivial BN statistics) exported by torch.onnx.export runs through our binding.</summary>
public class TorchvisionResNetTests
{
    private const string Script = """
import numpy as np, torch, torchvision
torch.manual_seed(7)
m = torchvision.models.resnet18(num_classes=128)
for mod in m.modules():
    if isinstance(mod, torch.nn.BatchNorm2d):
        mod.running_mean.uniform_(-0.1, 0.1); mod.running_var.uniform_(0.5, 1.5)
m.eval()
torch.onnx.export(m, torch.randn(1, 3, 224, 224), 'resnet18.onnx', input_names=['image'], output_names=['features'],
                  dynamic_axes={'image': {0: 'N'}, 'features': {0: 'N'}}, opset_version=17)
with torch.no_grad():
    for b in [1, 5]:
        x = torch.randn(b, 3, 224, 224)
        x.numpy().astype('<f4').tofile(f'in_{b}.bin'); m(x).numpy().astype('<f4').tofile(f'out_{b}.bin')
""";

    private TempDir _dir = null!;

    [OneTimeSetUp]
    public void Export()
    {
        _dir = new TempDir();
        PythonReference.Run(Script, _dir.Path);
    }

    [OneTimeTearDown]
    public void CleanUp() => _dir.Dispose();

    [TestCase(1)]
    [TestCase(5)]
    public void ResNet18_MatchesPyTorchEval(int batch)
    {
        using var session = OnnxSession.Open(_dir.File("resnet18.onnx"), new OnnxSessionOptions { IntraOpThreads = 2 });
        var output = session.Run(PythonReference.ReadFloats(_dir.File($"in_{batch}.bin")), [batch, 3, 224, 224]);
        var expected = PythonReference.ReadFloats(_dir.File($"out_{batch}.bin"));

        Assert.That(output.Shape, Is.EqualTo(new long[] { batch, 128 }));
        // Reference: PyTorch 1.13 eval forward; 1e-4 absolute, relative to the output scale where it exceeds 1.
        var scale = Math.Max(1f, expected.Max(Math.Abs));
        Assert.That(PythonReference.MaxAbsDiff(output.Values, expected), Is.LessThan(1e-4f * scale));
    }
}
