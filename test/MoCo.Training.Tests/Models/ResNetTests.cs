using TorchSharp;
using MoCo.Training.Tests.Reference;
using MoCo.Training.Models;
using static TorchSharp.torch;

namespace MoCo.Training.Tests.Models;

public class ResNetTests
{
    private static string[] OurNamesAndShapes(ResNet net) =>
        net.StateEntries().Select(e => $"{e.name} {string.Join("x", e.tensor.shape)}").ToArray();

    private static string[] TorchvisionNamesAndShapes(string constructor) =>
        PyTorch.RunScript($$"""
            import torch, torchvision
            net = {{constructor}}
            for k, v in net.state_dict().items():
                print(k, "x".join(str(s) for s in v.shape))
            """).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [TestCase(ResNetArch.ResNet18, "torchvision.models.resnet18(num_classes=128)")]
    [TestCase(ResNetArch.ResNet34, "torchvision.models.resnet34(num_classes=128)")]
    [TestCase(ResNetArch.ResNet50, "torchvision.models.resnet50(num_classes=128)")]
    public void State_dict_names_and_shapes_equal_torchvisions(ResNetArch arch, string constructor)
    {
        using var net = new ResNet(new ResNetOptions { Arch = arch });
        Assert.That(OurNamesAndShapes(net), Is.EqualTo(TorchvisionNamesAndShapes(constructor)));
    }

    [Test]
    public void Small_image_gray_narrow_variant_matches_torchvision_with_the_same_stem()
    {
        using var net = new ResNet(new ResNetOptions { Arch = ResNetArch.ResNet18, SmallImages = true, InChannels = 1, Width = 64, NumClasses = 10 });
        string[] theirs = TorchvisionNamesAndShapes(
            "torchvision.models.resnet18(num_classes=10); net.conv1 = torch.nn.Conv2d(1, 64, 3, 1, 1, bias=False); net.maxpool = torch.nn.Identity()");
        Assert.That(OurNamesAndShapes(net), Is.EqualTo(theirs));
        using var narrow = new ResNet(new ResNetOptions { Arch = ResNetArch.ResNet18, SmallImages = true, InChannels = 1, Width = 16 });
        Assert.That(narrow.FeatureDim, Is.EqualTo(128));
        Assert.That(narrow.state_dict()["layer4.1.conv2.weight"].shape, Is.EqualTo(new long[] { 128, 128, 3, 3 }));
    }

    // torchvision's random weights loaded into ours: outputs agree in eval and in train mode (float32, 1e-4).
    [TestCase(ResNetArch.ResNet18, "resnet18", false)]
    [TestCase(ResNetArch.ResNet50, "resnet50", false)]
    [TestCase(ResNetArch.ResNet18, "resnet18", true)]
    public void Outputs_equal_torchvisions_with_the_same_weights(ResNetArch arch, string name, bool small)
    {
        using var scope = NewDisposeScope();
        using var net = new ResNet(new ResNetOptions { Arch = arch, NumClasses = 16, SmallImages = small });
        manual_seed(9);
        var x = randn([3, 3, small ? 32 : 64, small ? 32 : 64]);
        string stem = small ? "net.conv1 = torch.nn.Conv2d(3, 64, 3, 1, 1, bias=False); net.maxpool = torch.nn.Identity()" : "";
        using var r = PyTorch.Run($$"""
            import torchvision
            torch.manual_seed(1)
            net = torchvision.models.{{name}}(num_classes=16)
            {{stem}}
            with torch.no_grad():
                for m in net.modules():
                    if isinstance(m, torch.nn.BatchNorm2d):
                        m.weight.uniform_(0.5, 1.5); m.bias.uniform_(-0.2, 0.2)
                        m.running_mean.uniform_(-0.1, 0.1); m.running_var.uniform_(0.5, 1.5)
            for k, v in net.state_dict().items():
                out["state." + k] = v.clone()
            net.eval()
            with torch.no_grad():
                out["eval"] = net(inp["x"])
                feats = torch.nn.Sequential(*list(net.children())[:-1])(inp["x"]).flatten(1)
                out["features"] = feats
                net.train()
                out["train"] = net(inp["x"])
            """, new Dictionary<string, Tensor> { ["x"] = x });
        var state = r.Tensors.Where(kv => kv.Key.StartsWith("state.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key[6..], kv => kv.Value);
        net.load_state_dict(state);
        using (no_grad())
        {
            net.eval();
            Assert.That(net.forward(x).allclose(r.Tensors["eval"], 1e-4, 1e-4), Is.True, "eval output");
            // ResNet-50's pooled features with these random BN statistics reach ~1.6e3, and float32 sums of that size
            // carry absolute errors of ~1e-3 in either library (libtorch 2.10 and PyTorch 1.13 differ by up to 2^-10 on
            // an AVX-512 AMD EPYC, 6e-7 of the scale): the absolute tolerance is relative to the scale.
            var features = net.ForwardFeatures(x);
            double scale = r.Tensors["features"].abs().max().item<float>();
            Assert.That(features.allclose(r.Tensors["features"], 1e-4, Math.Max(1e-4, 1e-5 * scale)), Is.True,
                $"pooled features: max |difference| {(features - r.Tensors["features"]).abs().max().item<float>()}, max |value| {r.Tensors["features"].abs().max().item<float>()}");
            net.train();
            Assert.That(net.forward(x).allclose(r.Tensors["train"], 1e-4, 1e-4), Is.True, "train-mode output");
        }
    }

    [Test]
    public void Channels_last_layout_gives_the_nchw_results_and_gradients()
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        var options = new ResNetOptions { Arch = ResNetArch.ResNet18, Width = 8, SmallImages = true, InChannels = 1, BnSplits = 4 };
        using var nchw = new ResNet(options);
        using var nhwc = new ResNet(options with { ChannelsLast = true });
        nhwc.LoadState(nchw.state_dict());
        Assert.That(nhwc.state_dict()["layer2.0.conv1.weight"].IsChannelsLast(), Is.True);
        var x = randn([8, 1, 16, 16]);
        var a = nchw.forward(x);
        var b = nhwc.forward(x);
        Assert.That(b.allclose(a, 1e-4, 1e-4), Is.True, "outputs");
        a.square().sum().backward();
        b.square().sum().backward();
        var ga = nchw.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!);
        foreach (var (name, p) in nhwc.named_parameters())
            Assert.That(p.grad!.allclose(ga[name], 1e-3, 1e-3), Is.True, name);
    }

    [Test]
    public void Initialisation_follows_torchvision()
    {
        using var scope = NewDisposeScope();
        using var net = new ResNet(new ResNetOptions { Arch = ResNetArch.ResNet18, ZeroInitResidual = true });
        var s = net.state_dict();
        Assert.That(s["bn1.weight"].ToArray<float>().All(v => v == 1), Is.True);
        Assert.That(s["layer1.0.bn2.weight"].ToArray<float>().All(v => v == 0), Is.True, "zero-init residual");
        Assert.That(s["layer1.0.bn1.weight"].ToArray<float>().All(v => v == 1), Is.True);
        // kaiming_normal_(fan_out, relu): std = √(2 / (out·k·k)).
        float[] w = s["layer3.0.conv2.weight"].ToArray<float>();
        double std = Math.Sqrt(w.Select(v => (double)v * v).Average());
        Assert.That(std, Is.EqualTo(Math.Sqrt(2.0 / (256 * 9))).Within(2).Percent);
    }

    [Test]
    public void Wrong_input_shape_is_refused_with_the_expected_shape()
    {
        using var scope = NewDisposeScope();
        using var net = new ResNet(new ResNetOptions { Arch = ResNetArch.ResNet18, InChannels = 1, Width = 8, SmallImages = true });
        var e = Assert.Throws<ArgumentException>(() => net.forward(zeros([2, 3, 28, 28])));
        Assert.That(e!.Message, Does.Contain("N×1×H×W").And.Contain("[2, 3, 28, 28]"));
        Assert.Throws<ArgumentException>(() => new ResNet(new ResNetOptions { InChannels = 2 }));
    }
}
