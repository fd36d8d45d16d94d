namespace MoCo.Training.Tests.Tensors;

/// <summary>The channels-last helper (TorchSharp 0.107 has no contiguous(memory_format)).</summary>
public class ChannelsLastTests
{
    [Test]
    public void A_channels_last_copy_has_nhwc_strides_and_the_same_values()
    {
        using var scope = NewDisposeScope();
        var x = arange(2 * 3 * 4 * 5, dtype: ScalarType.Float32).view(2, 3, 4, 5);
        Assert.That(x.IsChannelsLast(), Is.False);
        var y = x.ToChannelsLast();
        Assert.That(y.shape, Is.EqualTo(new long[] { 2, 3, 4, 5 }));
        Assert.That(y.stride(), Is.EqualTo(new long[] { 60, 1, 15, 3 }));
        Assert.That(y.IsChannelsLast(), Is.True);
        Assert.That(y.SameValues(x), Is.True);
        y.ToChannelsLast().add_(1);
        Assert.That(y.SameValues(x + 1), Is.True, "already channels-last: an alias, not a copy");
        Assert.Throws<ArgumentException>(() => x.view(6, 20).ToChannelsLast());
    }

    // A one-channel image is NHWC memory as it is, but with NCHW strides libtorch runs the stem convolution in NCHW and
    // every activation after it until a channels-last weight turns it back (reorders, and split BN's NCHW path). The
    // helper gives it PyTorch's channels-last strides without copying; ToRowMajor gives the converse.
    [Test]
    public void Size_one_channels_get_channels_last_strides_and_the_stem_keeps_the_layout()
    {
        using var scope = NewDisposeScope();
        var gray = arange(2 * 1 * 4 * 5, dtype: ScalarType.Float32).view(2, 1, 4, 5);
        var view = gray.ToChannelsLast();
        Assert.That(view.stride(), Is.EqualTo(new long[] { 20, 1, 5, 1 }));
        view.add_(1);
        Assert.That(gray[0, 0, 0, 0].item<float>(), Is.EqualTo(1f), "a view of the same memory, not a copy");
        var rowMajor = view.ToRowMajor();
        Assert.That(rowMajor.stride(), Is.EqualTo(new long[] { 20, 20, 5, 1 }));
        Assert.That(rowMajor.SameValues(gray), Is.True);

        using var conv = nn.Conv2d(1, 4, 3, padding: 1, bias: false);
        using (no_grad()) conv.weight.set_(conv.weight.ToChannelsLast());
        var y = conv.forward(randn([2, 1, 8, 8]).ToChannelsLast());
        Assert.That(y.IsChannelsLast() && !y.is_contiguous(), Is.True, "the convolution's output is channels-last");
        using (no_grad()) conv.weight.set_(conv.weight.ToRowMajor());   // the strides one-channel tensors had before
        var yNchw = conv.forward(randn([2, 1, 8, 8]));
        Assert.That(yNchw.is_contiguous(), Is.True, "the test can tell: NCHW strides on both give NCHW output");
    }
}
