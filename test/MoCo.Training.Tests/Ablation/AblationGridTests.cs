using MoCo.Training.Ablation;
using MoCo.Training.Method;
using MoCo.Training.Trainer;

namespace MoCo.Training.Tests.Ablation;

public class AblationGridTests
{
    private static readonly PretrainConfig Base = PretrainConfig.V2 with { BatchSize = 256, QueueSize = 4096, Momentum = 0.99, BnSplits = 8 };

    [Test]
    public void Negatives_sweep_has_each_method_at_each_K_and_end_to_end_batches_follow_K()
    {
        var points = AblationGrid.Expand(Base, new AblationSweeps { Negatives = true });
        Assert.That(points.Select(p => (p.Method, p.Negatives, p.BatchSize, p.SkipReason is null)), Is.EqualTo(new[]
        {
            (ContrastiveMethod.MoCo, 256, 256, true), (ContrastiveMethod.MoCo, 1024, 256, true), (ContrastiveMethod.MoCo, 4096, 256, true),
            // K = 2N − 2 with N the multiple of 8 nearest K/2 + 1: 129 → 128, 513 → 512, 2049 → 2048 (over the 1024 limit).
            (ContrastiveMethod.EndToEnd, 254, 128, true), (ContrastiveMethod.EndToEnd, 1022, 512, true), (ContrastiveMethod.EndToEnd, 4094, 2048, false),
            (ContrastiveMethod.MemoryBank, 256, 256, true), (ContrastiveMethod.MemoryBank, 1024, 256, true), (ContrastiveMethod.MemoryBank, 4096, 256, true),
        }));
        Assert.That(points.All(p => p.Momentum == 0.99 && p.ShuffleBn && p.Sweeps.SequenceEqual(["negatives"])));
        Assert.That(points[5].SkipReason, Does.Contain("2048"));
    }

    [Test]
    public void Shared_points_appear_once_and_list_every_sweep()
    {
        var points = AblationGrid.Expand(Base, new AblationSweeps { Negatives = true, Momentum = true, ShuffleBn = true, Methods = [ContrastiveMethod.MoCo] });
        Assert.That(points.Select(p => p.Name), Is.EqualTo(new[]
        {
            "moco-k256-m0.99-sbn-b256", "moco-k1024-m0.99-sbn-b256", "moco-k4096-m0.99-sbn-b256",
            "moco-k4096-m0-sbn-b256", "moco-k4096-m0.9-sbn-b256", "moco-k4096-m0.999-sbn-b256", "moco-k4096-m0.9999-sbn-b256",
            "moco-k4096-m0.99-nosbn-b256",
        }));
        Assert.That(points[2].Sweeps, Is.EqualTo(new[] { "negatives", "momentum", "shuffle-bn" }));
        Assert.That(points[7].Sweeps, Is.EqualTo(new[] { "shuffle-bn" }));
        Assert.That(points.Select(p => p.Name).Distinct().Count(), Is.EqualTo(points.Count));
    }

    [Test]
    public void The_baseline_comes_first_untrained_with_the_base_config()
    {
        var points = AblationGrid.Expand(Base, new AblationSweeps { ShuffleBn = true, Baseline = true });
        Assert.That(points.Select(p => p.Name), Is.EqualTo(new[] { "random-init", "moco-k4096-m0.99-sbn-b256", "moco-k4096-m0.99-nosbn-b256" }));
        Assert.That((points[0].Untrained, points[1].Untrained), Is.EqualTo((true, false)));
        Assert.That(points[0].Sweeps, Is.EqualTo(new[] { "baseline" }));
        Assert.That(points[0].Apply(Base).QueueSize, Is.EqualTo(4096));
    }

    [Test]
    public void A_point_applies_its_values_to_the_base_config()
    {
        var moco = new AblationPoint(ContrastiveMethod.MoCo, 1024, 0.9, false, 128).Apply(Base);
        Assert.That((moco.Method, moco.QueueSize, moco.Momentum, moco.ShuffleKeys, moco.BatchSize), Is.EqualTo((ContrastiveMethod.MoCo, 1024, 0.9, false, 128)));
        Assert.That(moco.MoCoOptions.ShuffleKeys, Is.False, "the switch reaches the method");
        var e2e = AblationGrid.EndToEndPoint(256, Base with { BnSplits = 1 }, 1024);
        Assert.That((e2e.BatchSize, e2e.Negatives), Is.EqualTo((129, 256)), "without split BN the batch is exactly K/2 + 1");
        Assert.That(e2e.Apply(Base).QueueSize, Is.EqualTo(Base.QueueSize), "end-to-end keeps the base queue, which it does not use");
    }

    [Test]
    public void Bad_sweeps_are_refused()
    {
        Assert.Throws<ArgumentException>(() => AblationGrid.Expand(Base, new AblationSweeps()));
        Assert.Throws<ArgumentException>(() => AblationGrid.Expand(Base, new AblationSweeps { Momentum = true, Momenta = [0.5, 1.0] }));
        Assert.Throws<ArgumentException>(() => AblationGrid.Expand(Base, new AblationSweeps { Negatives = true, NegativesList = [0] }));
    }
}
