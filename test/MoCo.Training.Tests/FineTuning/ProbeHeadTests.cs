using MoCo.Evaluation;
using MoCo.Training.Evaluation;
using MoCo.Training.FineTuning;
using MoCo.Training.Tests.Trainer;
using static TorchSharp.torch;

namespace MoCo.Training.Tests.FineTuning;

// LP-FT's start (FineTuneConfig.HeadInit = probe): the probe folded into fc gives, on the labelled images, the logits
// the probe computes on standardised features (in doubles, 1e-4 of their scale); the fold against its closed form on
// hand values; a run with the probe head starts from a head that already fits the labels (its first epoch's loss below
// a random head's), and an unknown head-init word is refused.
public class ProbeHeadTests
{
    private static readonly FineTuneConfig Tiny = FineTuneStepTests.Small with
    {
        Classes = 3, InputSize = 16, Mean = [0.3], Std = [0.3], LabelsPerClass = 6, Epochs = 1, BatchSize = 4, LearningRate = 0.02, Seed = 9,
    };

    [Test]
    public void The_folded_probe_gives_the_probes_logits_on_the_labelled_images()
    {
        using var images = PretrainRunTests.Blobs();
        using var train = new LabelledTrainingSet(images, Tiny);
        using var model = FineTuneModel.Create(Tiny);
        var device = CPU;
        ProbeHead.Initialise(model, train.Unaugmented, Tiny.Classes, device);

        // The reference: the same probe fitted again on the same frozen features (deterministic), applied as the
        // linear protocol applies it, in doubles.
        var (features, labels) = FrozenFeatures.Extract(model.Network, train.Unaugmented, device);
        LinearProbe probe;
        FeatureMatrix matrix;
        using (features)
        {
            probe = LinearProbe.Fit(features, labels, Tiny.Classes, new LinearProbeOptions { L2 = ProbeHead.L2 });
            matrix = new FeatureMatrix(features.data<float>().ToArray(), (int)features.size(0), (int)features.size(1));
        }

        var z = probe.Standardization.Apply(matrix);
        int d = matrix.Columns, c = Tiny.Classes;
        var expected = new double[matrix.Rows * c];
        for (var i = 0; i < matrix.Rows; i++)
        {
            for (var k = 0; k < c; k++)
            {
                double sum = probe.Bias[k];
                for (var j = 0; j < d; j++) sum += (double)z.Row(i)[j] * probe.Weight[(j * c) + k];
                expected[(i * c) + k] = sum;
            }
        }

        model.Network.eval();
        var actual = new List<float>();
        using (no_grad())
        {
            foreach (var (x, _) in train.Unaugmented.Batches(device))
            {
                using (x)
                using (var logits = model.Network.forward(x))
                {
                    actual.AddRange(logits.data<float>().ToArray());
                }
            }
        }

        var scale = expected.Max(Math.Abs);
        Assert.That(scale, Is.GreaterThan(0.5), "a probe that fits the labels has logits well away from 0");
        Assert.That(actual, Has.Count.EqualTo(expected.Length));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.That(actual[i], Is.EqualTo(expected[i]).Within(1e-4 * scale), $"logit {i}");
        }
    }

    [Test]
    public void The_fold_is_the_closed_form_on_hand_values()
    {
        // D = 2, C = 2: W (D × C) = [[1, 2], [3, 4]], b = [0.5, −1], μ = [1, −2], s = [2, 0.5].
        // fc.weight[k, j] = s_j·W[j, k] → [[2, 1.5], [4, 2]]; fc.bias[k] = b_k − Σ_j μ_j·s_j·W[j, k]
        // → 0.5 − (1·2·1 + (−2)·0.5·3) = 1.5 and −1 − (1·2·2 + (−2)·0.5·4) = −1.
        var (weight, bias) = ProbeHead.Fold(mean: [1, -2], scale: [2, 0.5f], probeWeight: [1, 2, 3, 4], probeBias: [0.5f, -1], classes: 2);
        Assert.That(weight, Is.EqualTo(new[] { 2f, 1.5f, 4f, 2f }));
        Assert.That(bias, Is.EqualTo(new[] { 1.5f, -1f }));
    }

    [Test]
    public void After_the_recalibration_training_mode_normalises_the_labelled_batch_as_eval_mode_does()
    {
        // The probe is fitted in eval mode; training normalises by each batch's statistics. After the recalibration the
        // running statistics are the labelled images' own (one batch of all 18 here), so a training-mode forward of that
        // batch gives the eval-mode logits up to BatchNorm's unbiased-variance factor (n/(n−1) over N·H·W values per
        // channel, ≥ 72 here). Without it the random network's running statistics (0 and 1) are far from the batch's.
        using var images = PretrainRunTests.Blobs();
        using var train = new LabelledTrainingSet(images, Tiny);
        double Gap(bool recalibrate)
        {
            using var model = FineTuneModel.Create(Tiny);
            if (recalibrate) ProbeHead.Initialise(model, train.Unaugmented, Tiny.Classes, CPU);
            var (x, _) = train.Unaugmented.Batches(CPU).Single();
            using (x)
            using (no_grad())
            {
                model.Network.eval();
                using var eval = model.Network.forward(x);
                model.Network.train();
                using var training = model.Network.forward(x);
                using var gap = (training - eval).abs().max();
                using var scale = eval.abs().max();
                return gap.item<float>() / scale.item<float>();
            }
        }

        double with = Gap(true), without = Gap(false);
        TestContext.Out.WriteLine($"largest |training − eval| logit over the largest |eval| logit: {with:E2} recalibrated, {without:E2} with the initial statistics");
        Assert.That(with, Is.LessThan(0.15));
        Assert.That(without, Is.GreaterThan(0.5));
        Assert.That(() => (Tiny with { HeadInit = "zeros" }).Validate(), Throws.ArgumentException.With.Message.Contains("'zeros'"));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void A_run_ends_with_BatchNorm_statistics_of_the_labelled_images_when_asked(bool recalibrate)
    {
        // Recalibrating depends on the weights alone (the statistics are reset first), so doing it again after the run
        // changes nothing when the run did it, and changes the running statistics when it did not.
        using var images = PretrainRunTests.Blobs();
        var config = Tiny with { RecalibrateBn = recalibrate, Epochs = 2 };
        var dir = Directory.CreateTempSubdirectory("moco-precise-bn-").FullName;
        try
        {
            using var train = new LabelledTrainingSet(images, config);
            using var run = FineTuneRun.Start(config, train, null, dir);
            run.Run();
            float[] Stats() => [.. run.Model.Network.modules().OfType<TorchSharp.Modules.BatchNorm2d>()
                .SelectMany(n => n.running_mean!.data<float>().ToArray().Concat(n.running_var!.data<float>().ToArray()))];
            var after = Stats();
            ProbeHead.RecalibrateBatchNorm(run.Model.Network, train.Unaugmented, CPU);
            var again = Stats();
            double gap = after.Zip(again, (a, b) => Math.Abs(a - b)).Max();
            if (recalibrate) Assert.That(gap, Is.LessThan(1e-5), "the run's statistics are the labelled images'");
            else Assert.That(gap, Is.GreaterThan(1e-2), "training's running averages of augmented batches differ");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
