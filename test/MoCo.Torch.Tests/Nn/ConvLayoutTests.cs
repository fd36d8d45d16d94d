using F = MoCo.Torch.torch.nn.functional;

namespace MoCo.Torch.Tests.Nn;

/// <summary>
/// Regression: Debian libtorch 1.13.1's oneDNN corrupted the heap (the whole test run aborted) in the backward of a
/// channels-last 1x1 stride-2 convolution with 2-7 input channels, the shortcut of a narrow ResNet (--width 4).
/// conv2d now runs that shape in NCHW; reference: the same convolution on NCHW tensors, which oneDNN handles.
/// </summary>
public class ConvLayoutTests
{
    [TestCase(2)]
    [TestCase(4)]
    [TestCase(7)]
    public void Channels_last_strided_pointwise_conv_with_few_channels_trains_and_equals_nchw(int inChannels)
    {
        torch.manual_seed((ulong)inChannels);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn([32, inChannels, 14, 14]);
        var w = torch.randn([2 * inChannels, inChannels, 1, 1]);
        var upstream = torch.randn([32, 2 * inChannels, 7, 7]);

        var (yNchw, gxNchw, gwNchw) = Run(x, w, upstream, MemoryFormat.Contiguous);
        for (int repeat = 0; repeat < 20; repeat++)
        {
            var (y, gx, gw) = Run(x, w, upstream, MemoryFormat.ChannelsLast);
            Assert.That(y.contiguous().ToArray<float>(), Is.EqualTo(yNchw.ToArray<float>()).Within(1e-5f));
            Assert.That(gx.contiguous().ToArray<float>(), Is.EqualTo(gxNchw.ToArray<float>()).Within(1e-5f));
            Assert.That(gw.contiguous().ToArray<float>(), Is.EqualTo(gwNchw.ToArray<float>()).Within(1e-4f));
            Assert.That(y.is_contiguous(), Is.False, "the output is handed back channels-last");
        }
    }

    [Test]
    public void Only_the_crashing_shape_is_rerouted()
    {
        using var scope = torch.NewDisposeScope();
        var cl = torch.randn([2, 4, 8, 8]).contiguous(MemoryFormat.ChannelsLast);
        var nchw = torch.randn([2, 4, 8, 8]);
        var w1 = torch.randn([8, 4, 1, 1]);
        Assert.That(F.OneDnnStridedPointwiseBug(cl, w1, [2, 2], 1), Is.True);
        Assert.That(F.OneDnnStridedPointwiseBug(nchw, w1, [2, 2], 1), Is.False, "NCHW is fine");
        Assert.That(F.OneDnnStridedPointwiseBug(cl, w1, [1, 1], 1), Is.False, "stride 1 is fine");
        Assert.That(F.OneDnnStridedPointwiseBug(cl, torch.randn([8, 4, 3, 3]), [2, 2], 1), Is.False, "3x3 is fine");
        var wide = torch.randn([2, 8, 8, 8]).contiguous(MemoryFormat.ChannelsLast);
        Assert.That(F.OneDnnStridedPointwiseBug(wide, torch.randn([16, 8, 1, 1]), [2, 2], 1), Is.False, "8 channels are fine");
    }

    private static (Tensor Y, Tensor GradX, Tensor GradW) Run(Tensor x0, Tensor w0, Tensor upstream, MemoryFormat format)
    {
        var x = x0.contiguous(format).detach().requires_grad_();
        var w = w0.contiguous(format).detach().requires_grad_();
        var y = F.conv2d(x, w, stride: [2, 2]);
        (y * upstream.contiguous(format)).sum().backward();
        return (y.detach(), x.grad!, w.grad!);
    }
}
