using System.Globalization;
using MoCo.Training.Ablation;
using MoCo.Training.Data;
using MoCo.Training.Evaluation;
using MoCo.Training.Method;
using MoCo.Training.Trainer;

namespace MoCo.Training.Tests.Ablation;

// A two-point grid trained for real on tiny random images (a few steps each): the tables, the skipping of finished
// points, the resuming of unfinished ones, and a point refused by validation reported as failed.
[NonParallelizable]
public class AblationRunnerTests
{
    private const int N = 64, S = 12;
    private string dir = "";
    private InMemoryImages images = null!;
    private BatchedAugmentation preprocessing = null!;
    private PretrainConfig baseConfig = null!;

    [SetUp]
    public void MakeData()
    {
        dir = Directory.CreateTempSubdirectory("moco-ablation-").FullName;
        var pixels = new byte[N * S * S];
        new Random(11).NextBytes(pixels);
        images = InMemoryImages.FromPixels(pixels, N, 1, S, S, Enumerable.Range(0, N).Select(i => (long)(i % 4)).ToArray());
        preprocessing = new BatchedAugmentation { Size = S, Mean = [0.5], Std = [0.25] };
        baseConfig = PretrainConfig.V2 with
        {
            Arch = "resnet18", Width = 4, SmallImages = true, InChannels = 1, BatchSize = 16, QueueSize = 64, BnSplits = 2, Epochs = 2,
            Threads = 1, KnnK = 5, InputSize = S, Mean = [0.5], Std = [0.25], LogEvery = 1,
        };
    }

    [TearDown]
    public void Remove()
    {
        images.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    private AblationRunner Runner() => new(baseConfig, c => new InMemoryViewPairSource(images, preprocessing with { }, c.Seed),
        new AblationEvaluationData(new InMemoryLabelledImages(images.Take(48), preprocessing), new InMemoryLabelledImages(images, preprocessing)), dir)
    {
        Probe = new LinearProbeOptions { Iterations = 50 },
    };

    // Two trainable points (shuffle BN on/off) and one the config validation refuses (K 40 is no multiple of the batch 16).
    private static readonly AblationPoint[] Points =
    [
        new(ContrastiveMethod.MoCo, 64, 0.99, true, 16) { Sweeps = ["shuffle-bn"] },
        new(ContrastiveMethod.MoCo, 64, 0.99, false, 16) { Sweeps = ["shuffle-bn"] },
        new(ContrastiveMethod.MoCo, 40, 0.99, true, 16) { Sweeps = ["negatives"] },
    ];

    [Test]
    public void Tables_hold_each_point_and_match_the_runs_and_finished_points_are_skipped()
    {
        var results = Runner().Run(Points);
        Assert.That(results.Select(r => r.Status), Is.EqualTo(new[] { "ok", "ok", "failed" }));
        Assert.That(results[2].Reason, Does.Contain("divisible"));

        string[] csv = File.ReadAllLines(Path.Combine(dir, AblationRunner.CsvFile));
        Assert.That(csv[0], Is.EqualTo(AblationTable.CsvHeader));
        Assert.That(csv, Has.Length.EqualTo(4));
        for (int i = 0; i < 2; i++)
        {
            string folder = Path.Combine(dir, Points[i].Name);
            string[] cells = csv[i + 1].Split(',');
            Assert.That(cells[..8], Is.EqualTo(new[] { Points[i].Name, "shuffle-bn", "moco", "64", "0.99", i == 0 ? "on" : "off", "16", "2" }));
            // Independent of the runner: the run's own log gives the final loss, and the checkpoint's encoder the kNN top-1.
            var log = File.ReadAllLines(Path.Combine(folder, PretrainRun.LogFile)).Where(l => l.Contains("\"loss\"", StringComparison.Ordinal)).ToArray();
            Assert.That(log, Has.Length.EqualTo(2 * (N / 16)), "every step of 2 epochs logged");
            double lastLoss = System.Text.Json.JsonDocument.Parse(log[^1]).RootElement.GetProperty("loss").GetDouble();
            Assert.That(double.Parse(cells[8], CultureInfo.InvariantCulture), Is.EqualTo(lastLoss).Within(5e-5));
            using var run = PretrainRun.Resume(folder, new InMemoryViewPairSource(images, preprocessing with { }, 0), null);
            double knn = new KnnMonitor(new InMemoryLabelledImages(images.Take(48), preprocessing), new InMemoryLabelledImages(images, preprocessing), 5)
                .Evaluate(run.Model.encoder_q, CPU);
            Assert.That(double.Parse(cells[9], CultureInfo.InvariantCulture), Is.EqualTo(knn).Within(5e-5));
            Assert.That(double.Parse(cells[10], CultureInfo.InvariantCulture), Is.InRange(0.0, 1.0));
            // The figures name their protocols: the base config's k and t, and the probe's trainer with its settings.
            Assert.That(cells[^2..], Is.EqualTo(new[] { "knn:cosine:k=5:t=0.1", "linear:adam:l2=0.0001:steps=50:lr=0.05" }));
            Assert.That((results[i].KnnProtocol, results[i].LinearProtocol), Is.EqualTo((cells[^2], cells[^1])));
            Assert.That(AblationResult.Load(Path.Combine(folder, AblationRunner.ResultFile)).LinearProtocol, Is.EqualTo(cells[^1]));
            Assert.That(results[i].LinearTop1, Is.InRange(0.0, 1.0));
        }
        Assert.That(csv[3], Does.EndWith("\",,").And.Contain(",failed,\""));
        string md = File.ReadAllText(Path.Combine(dir, AblationRunner.MarkdownFile));
        Assert.That(md, Does.Contain("| moco | 64 | 0.99 | off | 16 | 2 |").And.Contain("failed: the queue size 40"));

        // Again: nothing is retrained or re-evaluated; a point whose result was removed is evaluated again without training.
        string first = Path.Combine(dir, Points[0].Name), second = Path.Combine(dir, Points[1].Name);
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(first, AblationRunner.ResultFile));
        var logBefore = File.ReadAllText(Path.Combine(second, PretrainRun.LogFile));
        File.Delete(Path.Combine(second, AblationRunner.ResultFile));
        var output = new StringWriter();
        var again = Runner().Run(Points, output);
        Assert.That(output.ToString(), Does.Contain("done before"));
        Assert.That(File.GetLastWriteTimeUtc(Path.Combine(first, AblationRunner.ResultFile)), Is.EqualTo(stamp));
        Assert.That(File.ReadAllText(Path.Combine(second, PretrainRun.LogFile)), Is.EqualTo(logBefore), "no step trained again");
        Assert.That(again[1].KnnTop1, Is.EqualTo(results[1].KnnTop1));
        Assert.That(again[0], Is.EqualTo(results[0]) .Using<AblationResult>((a, b) => a.Name == b.Name && a.KnnTop1 == b.KnnTop1 && a.LinearTop1 == b.LinearTop1));
    }

    [Test]
    public void The_baseline_is_evaluated_untrained()
    {
        var point = new AblationPoint(ContrastiveMethod.MoCo, 64, 0.99, true, 16) { Untrained = true, Sweeps = ["baseline"] };
        var result = Runner().Run([point])[0];
        Assert.That((result.Status, result.Name, result.Method, result.Epochs, result.FinalLoss), Is.EqualTo(("ok", "random-init", "random-init", 0, (double?)null)));
        string folder = Path.Combine(dir, "random-init");
        Assert.That(File.Exists(Path.Combine(folder, PretrainRun.LogFile)), Is.False, "nothing trained");
        // Reference: the same config's encoder at initialisation (same seed), evaluated by the kNN monitor directly.
        using var fresh = PretrainRun.Start(point.Apply(baseConfig), new InMemoryViewPairSource(images, preprocessing with { }, 0), null, Path.Combine(dir, "fresh"));
        double knn = new KnnMonitor(new InMemoryLabelledImages(images.Take(48), preprocessing), new InMemoryLabelledImages(images, preprocessing), 5)
            .Evaluate(fresh.Model.encoder_q, CPU);
        Assert.That(result.KnnTop1, Is.EqualTo(knn));
    }

    [Test]
    public void An_unfinished_point_resumes_from_its_checkpoint_and_a_changed_config_is_refused()
    {
        var point = Points[0];
        string folder = Path.Combine(dir, point.Name);
        var config = point.Apply(baseConfig) with { CheckpointEvery = 1 };
        var runner = new AblationRunner(baseConfig with { CheckpointEvery = 1 }, c => new InMemoryViewPairSource(images, preprocessing with { }, c.Seed),
            new AblationEvaluationData(new InMemoryLabelledImages(images, preprocessing), new InMemoryLabelledImages(images, preprocessing)), dir)
        { Probe = new LinearProbeOptions { Iterations = 20 } };
        using (var killed = PretrainRun.Start(config, new InMemoryViewPairSource(images, preprocessing with { }, config.Seed), null, folder))
            killed.Run(stopAfterSteps: 3);
        var output = new StringWriter();
        var result = runner.Run([point], output)[0];
        Assert.That(result.Status, Is.EqualTo("ok"), result.Reason);
        Assert.That(output.ToString(), Does.Contain("resuming at step 3"));
        Assert.That(File.ReadAllLines(Path.Combine(folder, PretrainRun.LogFile)).Count(l => l.Contains("\"loss\"", StringComparison.Ordinal)), Is.EqualTo(8));

        // The same folder under a base config with other epochs: the stored run is not silently reused.
        File.Delete(Path.Combine(folder, AblationRunner.ResultFile));
        var changed = new AblationRunner(baseConfig with { CheckpointEvery = 1, Epochs = 3 }, c => new InMemoryViewPairSource(images, preprocessing with { }, c.Seed),
            new AblationEvaluationData(new InMemoryLabelledImages(images, preprocessing), new InMemoryLabelledImages(images, preprocessing)), dir);
        var refused = changed.Run([point])[0];
        Assert.That(refused.Status, Is.EqualTo("failed"));
        Assert.That(refused.Reason, Does.Contain("another config"));
    }
}
