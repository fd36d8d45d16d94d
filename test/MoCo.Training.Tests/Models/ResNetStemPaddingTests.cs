using MoCo.Training.Models;
using MoCo.Training.Tests.Reference;
using static TorchSharp.torch;

namespace MoCo.Training.Tests.Models;

/// <summary>
/// <see cref="ResNetOptions.StemPadding"/>: solo-learn's CIFAR ResNet pads its 3×3 stride-1 conv1 by 2 (ours by 1 unless
/// told). Reference: torchvision's ResNet-18 in Debian's PyTorch 1.13 with solo-learn's stem swapped in
/// (<c>conv1 = Conv2d(3, 64, 3, 1, 2)</c>, <c>maxpool = Identity</c>), the same weights loaded into ours.
/// </summary>
public class ResNetStemPaddingTests
{
    [Test]
    public void A_stem_padded_by_2_gives_the_forward_of_solo_learns_CIFAR_ResNet()
    {
        using var scope = NewDisposeScope();
        using var net = new ResNet(new ResNetOptions { Arch = ResNetArch.ResNet18, NumClasses = 16, SmallImages = true, StemPadding = 2 });
        manual_seed(5);
        var x = randn([2, 3, 32, 32]);
        using var r = PyTorch.Run("""
            import torchvision
            torch.manual_seed(3)
            net = torchvision.models.resnet18(num_classes=16)
            net.conv1 = torch.nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=2, bias=False)
            net.maxpool = torch.nn.Identity()
            with torch.no_grad():
                for m in net.modules():
                    if isinstance(m, torch.nn.BatchNorm2d):
                        m.weight.uniform_(0.5, 1.5); m.bias.uniform_(-0.2, 0.2)
                        m.running_mean.uniform_(-0.1, 0.1); m.running_var.uniform_(0.5, 1.5)
            for k, v in net.state_dict().items():
                out["state." + k] = v.clone()
            net.eval()
            with torch.no_grad():
                out["stem"] = net.conv1(inp["x"])
                out["eval"] = net(inp["x"])
                out["features"] = torch.nn.Sequential(*list(net.children())[:-1])(inp["x"]).flatten(1)
            """, new Dictionary<string, Tensor> { ["x"] = x });
        net.load_state_dict(r.Tensors.Where(kv => kv.Key.StartsWith("state.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key[6..], kv => kv.Value));
        net.eval();
        using (no_grad())
        {
            Tensor stem = net.Stem.conv.forward(x);
            Assert.That(stem.shape, Is.EqualTo(new long[] { 2, 64, 34, 34 }), "padding 2 grows 32 px to 34");
            Assert.That(stem.allclose(r.Tensors["stem"], 1e-5, 1e-5), Is.True, "conv1's output");
            AssertClose(net.ForwardFeatures(x), r.Tensors["features"], "pooled features");
            AssertClose(net.forward(x), r.Tensors["eval"], "eval output");
            // The same weights with our usual padding give other features: the test can tell the two stems apart.
            using var padded1 = new ResNet(net.Options with { StemPadding = null });
            padded1.load_state_dict(net.state_dict());
            padded1.eval();
            Tensor other = padded1.ForwardFeatures(x);
            double gap = (other - r.Tensors["features"]).abs().max().item<float>() / r.Tensors["features"].abs().max().item<float>();
            Assert.That(gap, Is.GreaterThan(1e-2), "padding 1's features differ from padding 2's");
        }
    }

    /// <summary>Equal to 1e-4 of the reference's largest magnitude.</summary>
    private static void AssertClose(Tensor have, Tensor want, string what)
    {
        Assert.That(have.shape, Is.EqualTo(want.shape), what);
        double scale = want.abs().max().item<float>(), error = (have - want).abs().max().item<float>();
        Assert.That(error / scale, Is.LessThanOrEqualTo(1e-4), $"{what}: largest difference {error} against largest magnitude {scale}");
    }

    [TestCase(true, null, 1)]
    [TestCase(false, null, 3)]
    [TestCase(true, 2, 2)]
    [TestCase(true, 0, 0)]
    [TestCase(false, 2, 2)]
    public void Conv1_is_built_with_the_padding_in_force(bool small, int? padding, int expected)
    {
        var options = new ResNetOptions { Arch = ResNetArch.ResNet18, Width = 4, SmallImages = small, StemPadding = padding };
        using var net = new ResNet(options);
        Assert.That(options.StemPaddingInForce, Is.EqualTo(expected));
        Assert.That(net.Stem.conv.padding, Is.EqualTo(new long[] { expected, expected }));
        Assert.That(net.Stem.conv.stride, Is.EqualTo(small ? new long[] { 1, 1 } : new long[] { 2, 2 }));
        Assert.That(net.Stem.conv.weight.shape, Is.EqualTo(small ? new long[] { 4, 3, 3, 3 } : new long[] { 4, 3, 7, 7 }));
    }

    [TestCase(true, 3, "the stem padding must lie in [0, 2] for the 3×3 stem, got 3")]
    [TestCase(true, -1, "the stem padding must lie in [0, 2] for the 3×3 stem, got -1")]
    [TestCase(false, 7, "the stem padding must lie in [0, 6] for the 7×7 stem, got 7")]
    public void A_padding_the_stem_cannot_take_is_refused(bool small, int padding, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new ResNet(new ResNetOptions { Arch = ResNetArch.ResNet18, Width = 4, SmallImages = small, StemPadding = padding }));
        Assert.That(e!.Message, Is.EqualTo(message));
    }

    [Test]
    public void The_usual_padding_spelled_out_is_the_same_network_as_none()
    {
        var usual = new ResNetOptions { SmallImages = true };
        Assert.That((usual with { StemPadding = 1 }).WithCanonicalStemPadding(), Is.EqualTo(usual));
        Assert.That((usual with { SmallImages = false, StemPadding = 3 }).WithCanonicalStemPadding(), Is.EqualTo(usual with { SmallImages = false }));
        Assert.That((usual with { StemPadding = 2 }).WithCanonicalStemPadding().StemPadding, Is.EqualTo(2));
        Assert.That((usual with { SmallImages = false, StemPadding = 1 }).WithCanonicalStemPadding().StemPadding, Is.EqualTo(1), "1 is not the 7×7 stem's usual");
    }
}
