using MoCo.Training.Evaluation;
using MoCo.Training.Models;

namespace MoCo.Training.Tests.Evaluation;

public class EvalModeTests
{
    // The scope evaluation runs in (FrozenFeatures, KnnMonitor, ClassifierScores): everything in eval mode inside, and
    // afterwards each module in the mode it had, so a part frozen in eval mode (a fine-tuning's frozen BatchNorm) stays so.
    [Test]
    public void Every_module_is_in_eval_mode_inside_and_back_in_its_own_mode_after()
    {
        using var encoder = new ResNet(new ResNetOptions { Arch = ResNetArch.ResNet18, Width = 4, SmallImages = true, InChannels = 1 });
        encoder.train();
        var modules = encoder.named_modules().Select(m => m.module).ToList();
        var frozen = modules[modules.Count / 2];
        frozen.eval();
        var before = modules.Select(m => m.training).ToList();
        Assert.That(before, Has.Some.True.And.Some.False, "a mixed set of modes to restore");

        using (new EvalMode(encoder))
        {
            Assert.That(encoder.training, Is.False);
            Assert.That(modules.Select(m => m.training), Is.All.False);
        }

        Assert.That(encoder.training, Is.True);
        Assert.That(modules.Select(m => m.training), Is.EqualTo(before));
    }
}
