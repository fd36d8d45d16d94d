using MoCo.Evaluation;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.Imaging.Datasets;
using MoCo.Imaging.Encoders;
using MoCo.MLNet.Probing;
using MoCo.MLNet.Tests.Support;
using MoCo.Training.Data;
using MoCo.Training.Evaluation;
using MoCo.Training.Export;
using MoCo.Training.Trainer;

namespace MoCo.MLNet.Tests;

// MoCo's premise: many unlabelled images, few labels. Pretrain briefly on Fashion-MNIST training images (no labels),
// export, then an ML.NET pipeline (image bytes → MoCoFeatures → cache → standardise → key → trainer → value) trained
// on a few labelled images must beat the same trainer on raw pixels with the same labels, on 2,000 test images.
[NonParallelizable]
public class FewLabelsFashionMnistTests
{
    private TempDir _dir = null!;
    private byte[] _encoder = null!;
    private IImageDataset _train = null!;
    private IImageDataset _test = null!;

    [OneTimeSetUp]
    public void Pretrain()
    {
        _dir = new TempDir();
        _train = ImageDatasets.FashionMnist(train: true);
        _test = ImageDatasets.FashionMnist(train: false);
        var clock = Stopwatch.StartNew();
        using var images = IdxImages.LoadSplit(IdxImages.FashionMnistDirectory, train: true, limit: PretrainImages);
        var config = PretrainConfig.V2 with
        {
            Arch = "resnet18", Width = 8, SmallImages = true, InChannels = 1, BatchSize = 128, QueueSize = 2048, Momentum = 0.99,
            // One libtorch thread: with two, OpenMP spin-waiting collapsed the speed when other processes shared the cores
            // (11 images/s instead of ~220 measured here; shared/PACKAGE-NOTES.md).
            Temperature = 0.1, BnSplits = 8, LearningRate = 0.06, Epochs = PretrainEpochs, Threads = 1, Seed = 0, LogEvery = 1000,
        };
        var mean = IdxImages.FashionMnistStats.Mean;
        var std = IdxImages.FashionMnistStats.Std;
        var augmentation = new BatchedAugmentation
        {
            Size = 28, Scale = (config.MinCropScale, 1.0), JitterProbability = config.JitterProbability, Mean = [mean], Std = [std],
        };
        using var run = PretrainRun.Start(config, new InMemoryViewPairSource(images, augmentation, config.Seed), null, _dir.Path);
        run.Run();
        run.Model.encoder_q.eval();
        _encoder = OnnxExporter.ToBytes(run.Model.encoder_q, new OnnxExportOptions { InputSize = 28, Mean = [mean], Std = [std] });
        TestContext.Progress.WriteLine($"pretrained {PretrainEpochs} epochs on {PretrainImages} images in {clock.Elapsed.TotalSeconds:F0} s");
    }

    private const int PretrainImages = 10240;
    private const int PretrainEpochs = 3;

    [OneTimeTearDown]
    public void TearDown() => _dir.Dispose();

    // Measured first (loaded 2-core machine, the pretraining below; random labelled images, 2,000 test images): SDCA with
    // 10-30 labelled images favoured MoCo in every run (+3.5 to +19 points), L-BFGS (l2 1e-4, L1 1) was erratic there, and
    // from 100 labelled images on raw pixels won (SDCA 61.7% vs 67.3%; L-BFGS with 500: 68.6-69.5% vs 74.0-75.2%): an
    // encoder this briefly pretrained (kNN ~65%) helps only in the few-label regime. Hence 3 labelled images per class
    // (30), SDCA, three stratified label draws. Measured 2026-11-30 (seeds 0/1/2), with ML.NET's SDCA defaults (features
    // divided by their root mean square, an L1 weight ML.NET chose itself): MoCo 56.60/59.20/51.00% vs raw pixels
    // 51.10/43.40/46.80%, mean +8.5 points. The probe is now the linear protocol (MoCo.Evaluation: standardised features,
    // λ 1e-4, no L1), and most of that margin was ML.NET's own L1, which cost the 784 pixel features more than the
    // encoder's: measured 2026-12-04 on the same draws, SDCA's defaults gave MoCo 55.70/62.10/49.85% vs pixels
    // 51.10/43.40/46.80% (+8.8 on the mean), L1 0 alone lifted pixels to 55.60/51.10/49.20%, and this test (the protocol,
    // SDCA) gives MoCo 55.05/61.50/49.25% vs pixels 57.85/51.85/48.70% (mean 55.27% vs 52.80%, +2.5 points; L-BFGS
    // +2.1). The test asks
    // +1 point on the mean. Under heavy load the pretraining took 64-503 s and the three draws 1-3.5 minutes; alone on
    // 2 cores the pretraining is ~30-60 s (FashionMnistLearningTests) and the whole test about 2 minutes.
    [Test]
    public void Three_labels_per_class_on_pretrained_features_beat_raw_pixels_with_the_same_trainer()
    {
        double mocoSum = 0, pixelSum = 0;
        for (var seed = 0; seed < 3; seed++)
        {
            var (moco, pixels) = Compare(perClass: 3, seed, LinearTrainer.Sdca, testCount: 2000);
            TestContext.Out.WriteLine($"seed {seed}: MoCo features {moco * 100:F2}%, raw pixels {pixels * 100:F2}%");
            mocoSum += moco;
            pixelSum += pixels;
        }

        TestContext.Out.WriteLine($"mean: MoCo features {mocoSum / 3 * 100:F2}%, raw pixels {pixelSum / 3 * 100:F2}%");
        Assert.That(mocoSum / 3, Is.GreaterThan((pixelSum / 3) + 0.01), "mean top-1 over three label draws");
    }

    /// <summary>Top-1 of the MoCo pipeline and of the raw-pixel pipeline, trained on the same random labelled images.</summary>
    private (double Moco, double Pixels) Compare(int perClass, int seed, LinearTrainer trainer, int testCount)
    {
        // A stratified draw: perClass random training images of every class (so every test class is known to the key map).
        var order = Enumerable.Range(0, _train.Count).ToArray();
        new Random(seed).Shuffle(order);
        var labelled = order.GroupBy(_train.GetLabel).OrderBy(g => g.Key).SelectMany(g => g.Take(perClass)).ToArray();
        var testRows = Enumerable.Range(0, testCount).ToArray();
        var ml = new MLContext(seed);
        var clock = Stopwatch.StartNew();

        var features = new MoCoFeaturesOptions { InputColumnName = ProbeColumns.Image, ModelBytes = _encoder };
        var moco = MoCoProbe.LinearProbe(ml, features, ProbeColumns.Label, trainer).Fit(ml.Data.LoadFromEnumerable(Encoded(_train, labelled)));
        var mocoTop1 = ml.MulticlassClassification.Evaluate(moco.Transform(ml.Data.LoadFromEnumerable(Encoded(_test, testRows))), MoCoProbe.LabelKey).MicroAccuracy;
        (moco as IDisposable)?.Dispose();
        var mocoTime = clock.Elapsed;

        clock.Restart();
        var pixels = MoCoProbe.Head(ml, "Pixels", ProbeColumns.Label, trainer, 1e-4f).Fit(ml.Data.LoadFromEnumerable(Pixels(_train, labelled)));
        var pixelTop1 = ml.MulticlassClassification.Evaluate(pixels.Transform(ml.Data.LoadFromEnumerable(Pixels(_test, testRows))), MoCoProbe.LabelKey).MicroAccuracy;
        TestContext.Progress.WriteLine($"  MoCo pipeline {mocoTime.TotalSeconds:F1} s, pixels {clock.Elapsed.TotalSeconds:F1} s");
        return (mocoTop1, pixelTop1);
    }

    private static ProbeRow[] Encoded(IImageDataset set, int[] rows) => rows.Select(i =>
    {
        using var image = set.Load(i, new MoCo.Imaging.ImageDecodeOptions());
        return new ProbeRow { ImageSource = PngEncoder.Encode(image), Label = set.Classes[set.GetLabel(i)] };
    }).ToArray();

    private static PixelRow[] Pixels(IImageDataset set, int[] rows) => rows.Select(i =>
    {
        using var image = set.Load(i, new MoCo.Imaging.ImageDecodeOptions());
        return new PixelRow { Pixels = image.Pixels.ToArray().Select(b => b / 255f).ToArray(), Label = set.Classes[set.GetLabel(i)] };
    }).ToArray();

    private sealed class PixelRow
    {
        [VectorType(28 * 28)]
        public float[] Pixels { get; set; } = [];

        public string Label { get; set; } = "";
    }
}
