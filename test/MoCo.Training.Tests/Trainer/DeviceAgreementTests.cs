using TorchSharp;
using MoCo.Training.Trainer;

namespace MoCo.Training.Tests.Trainer;

public class DeviceAgreementTests
{
    // Width 8: libtorch 1.13.1 (Debian) crashes in the channels-last backward of a 1×1 stride-2 convolution with fewer than 8
    // input channels on some AMD CPUs (heap corruption inside oneDNN), which the shared Tiny config (width 4) hits.
    private static readonly PretrainConfig Tiny = PretrainRunTests.Tiny with { Width = 8, Epochs = 1, Mean = [0.3], Std = [0.3], InputSize = 16 };

    // The harness itself, on the CPU against the CPU: the "device" run is the reference run again, so it must agree
    // exactly, resume bit for bit, and the floor (NCHW vs channels-last: other kernels) must be non-zero but small — a
    // harness that compared nothing, or resumed from the wrong place, would report otherwise.
    [Test]
    public void The_cpu_agrees_with_itself_exactly_and_resumes_bit_for_bit()
    {
        using var images = PretrainRunTests.Blobs();
        var report = DeviceAgreement.Run(Tiny, images, CPU, steps: 5, resumeAt: 2, Path.GetTempPath());
        TestContext.Out.WriteLine(report);
        Assert.That(report.CpuLosses, Has.Count.EqualTo(5));
        Assert.That(report.DeviceLosses, Is.EqualTo(report.CpuLosses));
        Assert.That(report.FirstLossDifference, Is.Zero);
        Assert.That(report.LossDifference, Is.Zero);
        Assert.That(report.UpdateDifference, Is.Zero);
        Assert.That(report.ResumeLossDifference, Is.Zero);
        Assert.That(report.ResumeBitExact, Is.True);
        Assert.That(report.UpdateFloor, Is.GreaterThan(0).And.LessThan(0.1));
        Assert.That(report.Agrees(0, 1), Is.True);
    }

    [Test]
    public void A_resume_point_outside_the_run_is_refused()
    {
        using var images = PretrainRunTests.Blobs();
        Assert.Throws<ArgumentOutOfRangeException>(() => DeviceAgreement.Run(Tiny, images, CPU, steps: 5, resumeAt: 4, Path.GetTempPath()));
    }

    // On a GPU: the same steps there as on the CPU, float32 kernels (TF32 off), within the bounds `moco smoke --device
    // cuda` uses (see SmokeCommand for their derivation). Debian's libtorch is CPU-only, so on CI this says why it skips;
    // test/gpu/run-on-device.sh runs the same comparison (through `moco smoke --device cuda`) on a GPU machine.
    [Test]
    public void On_a_gpu_training_agrees_with_the_cpu()
    {
        if (torch.cuda.device_count() == 0)
            Assert.Ignore($"no CUDA device: this libtorch ({torch.__version__}) sees none (TorchSharp-cpu is CPU-only); test/gpu/run-on-device.sh runs this check on a GPU machine");
        using var images = PretrainRunTests.Blobs(count: 64);
        bool tf32 = torch.backends.cudnn.allow_tf32;
        torch.backends.cudnn.allow_tf32 = false;
        try
        {
            var report = DeviceAgreement.Run(Tiny, images, new Device(DeviceType.CUDA, 0), steps: 6, resumeAt: 3, Path.GetTempPath());
            TestContext.Out.WriteLine(report);
            Assert.That(report.Agrees(firstLossTolerance: 1e-5, floorFactor: 10), Is.True);
        }
        finally
        {
            torch.backends.cudnn.allow_tf32 = tf32;
        }
    }
}
