namespace MoCo.Torch.Tests;

// torch.backends switches live in libtorch's global context, CPU-only builds included; the reference is libtorch's own
// defaults (PyTorch's torch.backends.cudnn.benchmark False, .allow_tf32 True; cuda.matmul.allow_tf32 False).
public class BackendsTests
{
    [Test]
    public void The_switches_start_at_libtorch_defaults_and_keep_what_is_set()
    {
        Assert.That(torch.backends.cudnn.allow_tf32, Is.True);
        Assert.That(torch.backends.cuda.matmul.allow_tf32, Is.False);
        bool benchmark = torch.backends.cudnn.benchmark, deterministic = torch.backends.cudnn.deterministic;
        try
        {
            torch.backends.cudnn.benchmark = !benchmark;
            torch.backends.cudnn.deterministic = !deterministic;
            torch.backends.cudnn.allow_tf32 = false;
            torch.backends.cuda.matmul.allow_tf32 = true;
            Assert.That(torch.backends.cudnn.benchmark, Is.EqualTo(!benchmark));
            Assert.That(torch.backends.cudnn.deterministic, Is.EqualTo(!deterministic));
            Assert.That(torch.backends.cudnn.allow_tf32, Is.False);
            Assert.That(torch.backends.cuda.matmul.allow_tf32, Is.True);
        }
        finally
        {
            torch.backends.cudnn.benchmark = benchmark;
            torch.backends.cudnn.deterministic = deterministic;
            torch.backends.cudnn.allow_tf32 = true;
            torch.backends.cuda.matmul.allow_tf32 = false;
        }
    }
}
