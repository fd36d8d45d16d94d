namespace MoCo.Torch.Tests;

public class DisposeScopeTests
{
    [Test]
    public void A_scope_frees_what_was_created_in_it()
    {
        Tensor a, b;
        using (var scope = torch.NewDisposeScope())
        {
            a = torch.ones([2]);
            b = a * 3;
            Assert.That(scope.Count, Is.EqualTo(2));
        }
        Assert.That(a.IsDisposed && b.IsDisposed, Is.True);
    }

    [Test]
    public void Moved_out_tensors_survive_their_scope_and_belong_to_the_outer_one()
    {
        Tensor kept;
        using (var outer = torch.NewDisposeScope())
        {
            using (torch.NewDisposeScope())
            {
                kept = (torch.ones([2]) * 5).MoveToOuterDisposeScope();
            }
            Assert.That(kept.IsDisposed, Is.False);
            Assert.That(kept.ToArray<float>(), Is.EqualTo(new float[] { 5, 5 }));
            Assert.That(outer.Count, Is.EqualTo(1));
        }
        Assert.That(kept.IsDisposed, Is.True);
    }

    [Test]
    public void Detached_tensors_are_the_callers_to_dispose()
    {
        Tensor t;
        using (torch.NewDisposeScope()) t = torch.zeros([1]).DetachFromDisposeScope();
        Assert.That(t.IsDisposed, Is.False);
        t.Dispose();
        Assert.That(t.IsDisposed, Is.True);
    }

    [Test]
    public void Tensors_outside_any_scope_are_not_tracked()
    {
        var t = torch.ones([1]);
        using (torch.NewDisposeScope()) { }
        Assert.That(t.IsDisposed, Is.False);
        t.Dispose();
    }
}
