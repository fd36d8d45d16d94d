using MoCo.Training.Models;

namespace MoCo.Training.Tests.Models;

/// <summary>
/// Regression: oneDNN crashes the process in the weight gradient of a channels-last 1×1 stride-2 convolution with 2–8
/// input channels at ≥ 56×56 (the shortcut of layer2 in a narrow ResNet), with Debian's libtorch 1.13.1 and with
/// TorchSharp's libtorch 2.10 alike, so ConvLayoutGuard runs that shape in NCHW. Reference: the same convolution on
/// NCHW tensors. (Calling the crashing kernel directly would take the whole test run down, so it is not called here.)
/// </summary>
public class ConvLayoutGuardTests
{
    [TestCase(2, 56)]
    [TestCase(8, 56)]
    [TestCase(8, 224)]
    public void Guarded_strided_pointwise_conv_with_few_channels_trains_and_equals_nchw(int inChannels, int side)
    {
        manual_seed(inChannels);
        using var scope = NewDisposeScope();
        using var conv = nn.Conv2d(inChannels, 2 * inChannels, 1, stride: 2, bias: false);
        var x = randn([4, inChannels, side, side]);
        var upstream = randn([4, 2 * inChannels, side / 2, side / 2]);
        var reference = x.clone().requires_grad_();
        var w = conv.weight.detach().clone().requires_grad_();
        var yNchw = nn.functional.conv2d(reference, w, strides: [2, 2]);
        (yNchw * upstream).sum().backward();

        using (no_grad()) conv.weight.set_(conv.weight.ToChannelsLast());
        var xl = x.ToChannelsLast().requires_grad_();
        Assert.That(ConvLayoutGuard.Affected(conv, xl), Is.True);
        for (int repeat = 0; repeat < 3; repeat++)
        {
            conv.weight.grad = null;
            xl.grad = null;
            var y = ConvLayoutGuard.Forward(conv, xl);
            (y * upstream).sum().backward();
            Assert.That(y.IsChannelsLast(), Is.True, "handed back channels-last");
            Assert.That(y.allclose(yNchw, 1e-5, 1e-5), Is.True, "output");
            Assert.That(xl.grad!.allclose(reference.grad!, 1e-5, 1e-5), Is.True, "input gradient");
            Assert.That(conv.weight.grad!.allclose(w.grad!, 1e-4, 1e-4), Is.True, "weight gradient");
        }
    }

    [Test]
    public void The_guard_takes_only_the_crashing_shape()
    {
        using var scope = NewDisposeScope();
        var x8 = randn([2, 8, 56, 56]).ToChannelsLast();
        using var shortcut = nn.Conv2d(8, 16, 1, stride: 2, bias: false);
        using var stride1 = nn.Conv2d(8, 16, 1, bias: false);
        using var threeByThree = nn.Conv2d(8, 16, 3, stride: 2, padding: 1, bias: false);
        using var wide = nn.Conv2d(9, 18, 1, stride: 2, bias: false);
        using var gray = nn.Conv2d(1, 2, 1, stride: 2, bias: false);
        Assert.That(ConvLayoutGuard.Affected(shortcut, x8), Is.True);
        Assert.That(ConvLayoutGuard.Affected(shortcut, randn([2, 8, 56, 56])), Is.False, "NCHW input");
        Assert.That(ConvLayoutGuard.Affected(stride1, x8), Is.False);
        Assert.That(ConvLayoutGuard.Affected(threeByThree, x8), Is.False);
        Assert.That(ConvLayoutGuard.Affected(wide, randn([2, 9, 56, 56]).ToChannelsLast()), Is.False);
        Assert.That(ConvLayoutGuard.Affected(gray, randn([2, 1, 56, 56]).ToChannelsLast()), Is.False);
    }
}
