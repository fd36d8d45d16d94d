namespace MoCo.Torch.Tests;

public class AutogradTests
{
    [Test]
    public void Gradients_accumulate_and_clear()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2, 3 }).requires_grad_();
        Assert.That(x.grad, Is.Null);
        (x * x).sum().backward();
        Assert.That(x.grad!.ToArray<double>(), Is.EqualTo(new double[] { 2, 4, 6 }));
        (x * 3).sum().backward();
        Assert.That(x.grad!.ToArray<double>(), Is.EqualTo(new double[] { 5, 7, 9 }));
        x.grad = null;
        Assert.That(x.grad, Is.Null);
    }

    [Test]
    public void No_grad_stops_recording_and_restores_the_mode()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones([2], requires_grad: true);
        Assert.That(torch.is_grad_enabled(), Is.True);
        using (torch.no_grad())
        {
            Assert.That(torch.is_grad_enabled(), Is.False);
            Assert.That((x * 2).requires_grad, Is.False);
        }
        Assert.That(torch.is_grad_enabled(), Is.True);
        Assert.That((x * 2).requires_grad, Is.True);
    }

    [Test]
    public void Detach_cuts_the_graph()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones([2], requires_grad: true);
        var y = (x * 2).detach();
        Assert.That(y.requires_grad, Is.False);
        Assert.That(y.is_leaf, Is.True);
    }

    [Test]
    public void Backward_with_an_explicit_gradient_and_retained_graph()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2 }).requires_grad_();
        var y = x * x;
        y.backward(torch.tensor(new double[] { 1, 10 }), retain_graph: true);
        Assert.That(x.grad!.ToArray<double>(), Is.EqualTo(new double[] { 2, 40 }));
        y.backward(torch.tensor(new double[] { 1, 0 }));
        Assert.That(x.grad!.ToArray<double>(), Is.EqualTo(new double[] { 4, 40 }));
    }
}
