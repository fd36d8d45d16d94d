using MoCo.Training.Data;
using MoCo.Training.Evaluation;
using MoCo.Training.Models;

namespace MoCo.Training.Tests.Evaluation;

public class FrozenFeaturesTests
{
    // Reference: one eval-mode forward over the whole preprocessed set at once.
    [Test]
    public void Features_equal_one_eval_forward_of_the_whole_set_and_the_mode_is_restored()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        const int N = 10, S = 12;
        var pixels = new byte[N * S * S];
        new Random(7).NextBytes(pixels);
        using var images = InMemoryImages.FromPixels(pixels, N, 1, S, S, Enumerable.Range(0, N).Select(i => (long)(i % 3)).ToArray());
        var preprocessing = new BatchedAugmentation { Size = S, Mean = [0.5], Std = [0.25] };
        using var encoder = new ResNet(new ResNetOptions { Arch = ResNetArch.ResNet18, Width = 4, SmallImages = true, InChannels = 1 });
        encoder.train();
        var (features, labels) = FrozenFeatures.Extract(encoder, new InMemoryLabelledImages(images, preprocessing, batchSize: 4), CPU);
        Assert.That(encoder.training, Is.True);
        Assert.That(labels, Is.EqualTo(images.Labels));
        encoder.eval();
        using var _ = no_grad();
        var expected = encoder.ForwardFeatures(preprocessing.Evaluate(images.Images));
        Assert.That(features.shape, Is.EqualTo(new long[] { N, encoder.FeatureDim }));
        Assert.That(features.allclose(expected, rtol: 1e-5, atol: 1e-6), Is.True);
    }
}
