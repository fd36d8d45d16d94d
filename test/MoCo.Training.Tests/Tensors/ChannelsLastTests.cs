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
}
