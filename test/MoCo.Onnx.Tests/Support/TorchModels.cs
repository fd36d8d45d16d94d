namespace MoCo.Onnx.Tests.Support;

/// <summary>PyTorch-side fixtures: a small residual net exported with torch.onnx.export, plus its outputs.</summary>
internal static class TorchModels
{
    /// <summary>
    /// conv→BN(eval, non-trivial running stats)→relu→maxpool→residual block→GAP→flatten→linear, input
    /// "image" [N,3,16,16] with a dynamic batch, output "features" [N,10]. Writes model.onnx and, for each
    /// batch size b, in_b.bin / out_b.bin (float32, PyTorch eval-mode outputs), plus the uint8 variant
    /// in_u8_b.bin / out_u8_b.bin for a model taking uint8 NHWC input (model_u8.onnx).
    /// </summary>
    internal const string SmallResNetScript = """
import sys, numpy as np, torch, torch.nn as nn, onnx
torch.manual_seed(1234)
class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c1 = nn.Conv2d(c, c, 3, padding=1, bias=False); self.b1 = nn.BatchNorm2d(c)
        self.c2 = nn.Conv2d(c, c, 3, padding=1, bias=False); self.b2 = nn.BatchNorm2d(c)
    def forward(self, x):
        y = torch.relu(self.b1(self.c1(x)))
        return torch.relu(self.b2(self.c2(y)) + x)
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, stride=1, padding=1, bias=False); self.bn = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(3, stride=2, padding=1); self.block = Block(8)
        self.fc = nn.Linear(8, 10)
    def forward(self, x):
        x = self.pool(torch.relu(self.bn(self.stem(x))))
        x = self.block(x)
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))
class U8(nn.Module):
    def __init__(self, net):
        super().__init__(); self.net = net
        self.register_buffer('mean', torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1) * 255)
        self.register_buffer('std', torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1) * 255)
    def forward(self, x):
        x = x.permute(0, 3, 1, 2).float()
        return self.net((x - self.mean) / self.std)
net = Net()
for m in net.modules():
    if isinstance(m, nn.BatchNorm2d):
        m.running_mean.uniform_(-0.5, 0.5); m.running_var.uniform_(0.5, 2.0)
        m.weight.data.uniform_(0.5, 1.5); m.bias.data.uniform_(-0.2, 0.2)
net.eval()
dyn = {'image': {0: 'N'}, 'features': {0: 'N'}}
torch.onnx.export(net, torch.randn(2, 3, 16, 16), 'model.onnx', input_names=['image'], output_names=['features'],
                  dynamic_axes=dyn, opset_version=17)
u8 = U8(net).eval()
torch.onnx.export(u8, torch.zeros(2, 16, 16, 3, dtype=torch.uint8), 'model_u8.onnx', input_names=['image'],
                  output_names=['features'], dynamic_axes=dyn, opset_version=17)
m = onnx.load('model.onnx')
for k, v in [('moco.arch', 'tiny'), ('moco.mean', '0.485,0.456,0.406')]:
    p = m.metadata_props.add(); p.key = k; p.value = v
m.producer_name = 'reference-test'; m.model_version = 7
onnx.save(m, 'model_meta.onnx')
with torch.no_grad():
    for b in [int(a) for a in sys.argv[1:]] or [1, 37]:
        x = torch.randn(b, 3, 16, 16)
        x.numpy().astype('<f4').tofile(f'in_{b}.bin'); net(x).numpy().astype('<f4').tofile(f'out_{b}.bin')
        xu = torch.randint(0, 256, (b, 16, 16, 3), dtype=torch.uint8)
        xu.numpy().tofile(f'in_u8_{b}.bin'); u8(xu).numpy().astype('<f4').tofile(f'out_u8_{b}.bin')
print('ok')
""";

    private static readonly Lazy<string> Fixture = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "moco-onnx-torch-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        PythonReference.Run(SmallResNetScript, dir);
        return dir;
    });

    /// <summary>The directory holding the small-net fixture (generated once per test run).</summary>
    internal static string SmallResNetDir => Fixture.Value;

    /// <summary>Removes the fixture directory if it was generated.</summary>
    internal static void CleanUp()
    {
        if (Fixture.IsValueCreated)
        {
            Directory.Delete(Fixture.Value, recursive: true);
        }
    }
}

