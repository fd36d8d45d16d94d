using F = MoCo.Torch.torch.nn.functional;

namespace MoCo.Torch.Tests;

// The GPU path: the same computation on CUDA and on the CPU agree. Runs only where libtorch sees a CUDA device
// (Debian's libtorch 1.13 is CPU-only, so on CI these say why they skip). Not the only test of anything: every op
// here is tested on the CPU elsewhere.
public class CudaTests
{
    [SetUp]
    public void RequireCuda()
    {
        if (torch.cuda.device_count() == 0)
            Assert.Ignore($"no CUDA device: this libtorch ({torch.version}) sees none (Debian's build is CPU-only); run on a machine with a CUDA libtorch");
    }

    [Test]
    public void A_training_step_on_the_gpu_matches_the_cpu()
    {
        using var scope = torch.NewDisposeScope();
        var cuda = new Device(DeviceType.CUDA, 0);
        torch.manual_seed(1);
        var x = torch.randn([8, 3, 16, 16]);
        var w = torch.randn([4, 3, 3, 3]);
        var cpu = F.conv2d(x, w, padding: [1, 1]).relu().mean();
        var gpu = F.conv2d(x.to(cuda), w.to(cuda), padding: [1, 1]).relu().mean();
        Assert.That(gpu.device.Type, Is.EqualTo(DeviceType.CUDA));
        Assert.That(gpu.to(Device.CPU).item<float>(), Is.EqualTo(cpu.item<float>()).Within(1e-4));
        using var net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU());
        net.to(cuda);
        Assert.That(net.parameters().All(p => p.device.Type == DeviceType.CUDA), Is.True);
        net.forward(x.to(cuda)).sum().backward();
        Assert.That(net.parameters().All(p => p.grad is { } g && g.device.Type == DeviceType.CUDA), Is.True);
    }
}
