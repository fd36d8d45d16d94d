using MoCo.Imaging.Transforms;

namespace MoCo.Imaging.Tests.Transforms;

// The one ImageNet constant and the one 256/224 resize rule, against torchvision's literals and exact rational rounding.
public class ImageNetStatisticsTests
{
    [Test]
    public void The_statistics_are_torchvisions_and_their_float32_forms_the_float_literals()
    {
        Assert.That(ImageNetStatistics.Mean, Is.EqualTo(new[] { 0.485, 0.456, 0.406 }));
        Assert.That(ImageNetStatistics.Std, Is.EqualTo(new[] { 0.229, 0.224, 0.225 }));
        // What EvalTransform, MoCoAugmentation and MoCoPreprocessing.ImageNet used as float literals before.
        Assert.That(ImageNetStatistics.MeanSingle, Is.EqualTo(new[] { 0.485f, 0.456f, 0.406f }));
        Assert.That(ImageNetStatistics.StdSingle, Is.EqualTo(new[] { 0.229f, 0.224f, 0.225f }));
        Assert.That(ImageNetStatistics.Mean.Average(), Is.EqualTo(ImageNetStatistics.GrayMean).Within(1e-15));
        Assert.That(ImageNetStatistics.Std.Average(), Is.EqualTo(ImageNetStatistics.GrayStd).Within(1e-15));
        Assert.That(ImageNetStatistics.MeanFor(1), Is.EqualTo(new[] { 0.449 }));
        Assert.That(ImageNetStatistics.StdFor(3), Is.EqualTo(ImageNetStatistics.Std));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageNetStatistics.MeanFor(2));
    }

    [Test]
    public void EvalTransform_defaults_are_the_imagenet_recipe()
    {
        var eval = new EvalTransform();
        Assert.That((eval.ResizeShorterSide, eval.CropSize), Is.EqualTo((256, 224)));
        Assert.That(eval.Mean, Is.EqualTo(ImageNetStatistics.MeanSingle));
        Assert.That(eval.Std, Is.EqualTo(ImageNetStatistics.StdSingle));
        Assert.That(EvalTransform.ForCrop(32), Is.EqualTo(new EvalTransform(37, 32)));
    }

    [Test]
    public void The_resize_rule_keeps_256_over_224_rounded()
    {
        // Reference: 256c/224 = 8c/7 rounded in exact decimal arithmetic (never a tie: 8c/7 has no .5).
        for (int c = 1; c <= 1024; c++)
        {
            Assert.That(EvalTransform.ResizeFor(c), Is.EqualTo((int)Math.Round(8m * c / 7m)), $"crop {c}");
        }

        Assert.That(new[] { 224, 32, 28, 96, 16 }.Select(EvalTransform.ResizeFor), Is.EqualTo(new[] { 256, 37, 32, 110, 18 }));
    }
}
