using F = MoCo.Torch.torch.nn.functional;

namespace MoCo.Torch.Tests;

// Each failure class becomes a .NET exception carrying libtorch's message, never a crash.
public class ErrorTests
{
    [Test]
    public void Shape_mismatch_carries_libtorchs_message()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => _ = torch.ones([2, 3]) + torch.ones([4]));
        Assert.That(e!.Message, Does.Contain("size of tensor a (3) must match the size of tensor b (4)"));
        Assert.That(e.Message, Does.Not.Contain("frame #"), "no C++ backtrace in the message");
    }

    [Test]
    public void Matmul_shape_mismatch()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => torch.ones([2, 3]).mm(torch.ones([2, 3])));
        Assert.That(e!.Message, Does.Contain("cannot be multiplied"));
    }

    [Test]
    public void Wrong_dtype()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => torch.ones([2, 2]).mm(torch.ones([2, 2], ScalarType.Int64)));
        Assert.That(e!.Message, Does.Contain("Float").And.Contain("Long"));
        Assert.Throws<TorchException>(() => F.cross_entropy(torch.randn([3, 4]), torch.zeros([3])));
        Assert.Throws<ArgumentException>(() => torch.ones([2]).ToArray<double>());
    }

    [Test]
    public void Index_out_of_range()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => torch.ones([3]).index_select(0, torch.tensor(new long[] { 10 })));
        Assert.That(e!.Message, Does.Contain("out of range").IgnoreCase);
        Assert.Throws<TorchException>(() => torch.ones([3]).select(0, 5));
        Assert.Throws<TorchException>(() => torch.ones([3]).view(2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => torch.ones([3]).size(4));
    }

    [Test]
    public void Wrong_conv_input_rank()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => F.conv2d(torch.ones([3, 5]), torch.ones([2, 3, 3, 3])));
        Assert.That(e!.Message, Is.Not.Empty);
    }

    [Test]
    public void Backward_of_a_non_scalar_without_gradient()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones([3], requires_grad: true);
        var y = x * 2;
        var e = Assert.Throws<TorchException>(() => y.backward());
        Assert.That(e!.Message, Does.Contain("scalar"));
    }

    [Test]
    public void A_disposed_tensor_is_refused_in_managed_code()
    {
        var t = torch.ones([2]);
        t.Dispose();
        t.Dispose(); // idempotent
        Assert.Throws<ObjectDisposedException>(() => _ = t.shape);
        Assert.Throws<ObjectDisposedException>(() => _ = t + t);
        Assert.That(t.ToString(), Is.EqualTo("Tensor(disposed)"));
    }

    [Test]
    public void Bad_arguments_fail_before_native_code()
    {
        Assert.Throws<ArgumentException>(() => torch.tensor(new float[] { 1, 2, 3 }, 2, 2));
        Assert.Throws<ArgumentException>(() => torch.from_array(new float[] { 1, 2, 3 }, 2, 2));
        Assert.Throws<InvalidOperationException>(() => torch.ones([2]).item<float>());
        Assert.Throws<ArgumentException>(() => F.grid_sample(torch.ones([1, 1, 2, 2]), torch.zeros([1, 2, 2, 2]), mode: "cubic-ish"));
        Assert.Throws<TorchException>(() => torch.set_num_threads(0));
    }

    [Test]
    public void The_thread_stays_usable_after_an_error()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<TorchException>(() => _ = torch.ones([2]) + torch.ones([3]));
        Assert.That((torch.ones([2]) + torch.ones([2])).ToArray<float>(), Is.EqualTo(new float[] { 2, 2 }));
    }
}
