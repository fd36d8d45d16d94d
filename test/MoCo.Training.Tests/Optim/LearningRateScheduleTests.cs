using System.Globalization;
using MoCo.Training.Optim;
using MoCo.Training.Tests.Reference;

namespace MoCo.Training.Tests.Optim;

// Each schedule's rates for t = 0..14 against the PyTorch scheduler its doc names.
public class LearningRateScheduleTests
{
    private static double[] PyTorchRates(string scheduler)
    {
        string printed = PyTorch.RunScript($$"""
            import torch
            p = torch.nn.Parameter(torch.zeros(1))
            opt = torch.optim.SGD([p], lr=0.4)
            sched = {{scheduler}}
            rates = []
            for _ in range(15):
                rates.append(opt.param_groups[0]["lr"])
                opt.step()
                sched.step()
            print(" ".join(repr(r) for r in rates))
            """);
        return printed.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
    }

    private static void AssertRates(LearningRateSchedule schedule, string scheduler, int count = 15)
    {
        double[] expected = PyTorchRates(scheduler)[..count];
        double[] ours = Enumerable.Range(0, expected.Length).Select(t => schedule.At(t)).ToArray();
        Assert.That(ours, Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void Cosine_equals_CosineAnnealingLR_up_to_its_end_and_then_holds()
    {
        // PyTorch's cosine climbs back after T_max (it is periodic); a training schedule ends at T_max, so ours holds.
        var cosine = new CosineSchedule(0.4, 10, 0.01);
        AssertRates(cosine, "torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=0.01)", count: 11);
        Assert.That(cosine.At(13), Is.EqualTo(0.01).Within(1e-15));
    }

    [Test]
    public void Multistep_equals_MultiStepLR() =>
        AssertRates(new MultiStepSchedule(0.4, [4, 9], 0.1), "torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[4, 9], gamma=0.1)");

    [Test]
    public void Step_equals_StepLR() =>
        AssertRates(new StepSchedule(0.4, 3, 0.5), "torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)");

    [Test]
    public void Warmup_equals_LinearLR() =>
        AssertRates(new WarmupSchedule(new ConstantSchedule(0.4), 5, 0.25), "torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=5)");

    [Test]
    public void Apply_sets_the_optimisers_rate()
    {
        using var p = new Parameter(torch.ones([1]));
        using var sgd = new SGD([p], 1, 0, 0, 0, false);
        Assert.That(new CosineSchedule(1, 4).Apply(sgd, 2), Is.EqualTo(0.5).Within(1e-15));
        Assert.That(sgd.LearningRate, Is.EqualTo(0.5).Within(1e-15));
    }
}
