using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MoCo.Cli.Options;
using MoCo.Imaging.Datasets;
using MoCo.MLNet.Probing;
using MoCo.Training.Data;
using MoCo.Training.Evaluation;
using MoCo.Training.FineTuning;
using MoCo.Training.Serialization;
using MoCo.Training.Trainer;

namespace MoCo.Cli.Commands;

/// <summary>`moco finetune`: the encoder (a pretraining checkpoint's, or random) plus a linear classifier, trained end to
/// end with cross-entropy on a seeded stratified subset of the labelled training images; writes last.ckpt and log.jsonl
/// to --out and prints the test metrics as `moco probe` does.</summary>
internal static class FinetuneCommand
{
    internal sealed class Options
    {
        internal readonly Option<string> Init = new("--init") { Description = "the encoder to start from: a pretraining checkpoint (last.ckpt of moco pretrain) or 'random' (needed unless --resume)" };
        internal readonly Option<string> Train = DataOptions.Source("--train", "labelled training images (IDX data in this version)", "fashion-mnist:train");
        internal readonly Option<string?> Test = DataOptions.OptionalSource("--test", "labelled test images (default: the training source's test split)");
        internal readonly Option<string> Out = new("--out") { Description = "run directory (last.ckpt, log.jsonl)", DefaultValueFactory = _ => "finetune" };
        internal readonly Option<bool> Resume = new("--resume") { Description = "continue the run in --out from its checkpoint (its saved config; recipe options are ignored)" };
        internal readonly Option<int?> LabelsPerClass = new("--labels-per-class") { Description = "labelled training images per class, a seeded stratified draw (default: all)" };
        internal readonly Option<double?> LabelFraction = new("--label-fraction") { Description = "fraction of each class's training images, a seeded stratified draw (instead of --labels-per-class)" };
        internal readonly Option<int?> Epochs = new("--epochs") { Description = $"epochs (default {Defaults.Epochs})" };
        internal readonly Option<int?> Batch = new("--batch") { Description = $"batch size (default {Defaults.BatchSize})" };
        internal readonly Option<double?> Lr = new("--lr") { Description = string.Create(CultureInfo.InvariantCulture, $"the backbone's base SGD learning rate, cosine schedule (default {Defaults.LearningRate})") };
        internal readonly Option<double?> HeadLr = new("--head-lr") { Description = "the classifier's base learning rate (default 10 × --lr)" };
        internal readonly Option<double?> WeightDecay = new("--weight-decay") { Description = string.Create(CultureInfo.InvariantCulture, $"SGD weight decay (default {Defaults.WeightDecay})") };
        internal readonly Option<bool?> Nesterov = new("--nesterov") { Description = "Nesterov momentum 0.9 (default true)" };
        internal readonly Option<bool> FreezeBn = new("--freeze-bn") { Description = "keep BatchNorm in eval mode while training (its running statistics fixed; γ, β still learn)" };
        internal readonly Option<double?> MinCropScale = new("--min-crop-scale") { Description = string.Create(CultureInfo.InvariantCulture, $"smallest area fraction of the training views' random resized crop (default {Defaults.MinCropScale})") };
        internal readonly Option<int?> EvalEvery = new("--eval-every") { Description = "epochs between test evaluations in log.jsonl (default 1; 0: the last epoch only)" };
        internal readonly Option<bool> Json = new("--json") { Description = "print one JSON line (top1, macro_accuracy, log_loss, …) on stdout; progress and the table go to stderr" };
        // --arch, --width, --small-images (random init), --seed, --threads, --device, --deterministic, --channels-last: as pretraining's.
        internal readonly PretrainOptions Shared = new(withMethod: false);

        internal IEnumerable<Option> All =>
        [
            Init, Train, Test, Out, Resume, LabelsPerClass, LabelFraction, Epochs, Batch, Lr, HeadLr, WeightDecay, Nesterov, FreezeBn, MinCropScale, EvalEvery, Json,
            Shared.Arch, Shared.Width, Shared.SmallImages, Shared.Seed, Shared.Threads, Shared.Device.Option, Shared.Deterministic, Shared.ChannelsLast,
        ];

        private static FineTuneConfig Defaults { get; } = new();

        /// <summary>The config of a new run on <paramref name="images"/> (from <paramref name="spec"/>) with
        /// <paramref name="classes"/> classes.</summary>
        internal FineTuneConfig Configure(ParseResult r, DataSourceSpec spec, InMemoryImages images, int classes)
        {
            bool small = r.GetValue(Shared.SmallImages) ?? images.Height <= 64;
            var (mean, std) = DataSource.Normalisation(spec, images.Channels);
            var config = Defaults with
            {
                Arch = r.GetValue(Shared.Arch) ?? (small ? "resnet18" : "resnet50"),
                Width = r.GetValue(Shared.Width) ?? Defaults.Width,
                SmallImages = small,
                InChannels = images.Channels,
                Classes = classes,
                InputSize = images.Height,
                Mean = mean,
                Std = std,
                LabelsPerClass = r.GetValue(LabelsPerClass),
                LabelFraction = r.GetValue(LabelFraction),
                Epochs = r.GetValue(Epochs) ?? Defaults.Epochs,
                BatchSize = r.GetValue(Batch) ?? Defaults.BatchSize,
                LearningRate = r.GetValue(Lr) ?? Defaults.LearningRate,
                HeadLearningRate = r.GetValue(HeadLr),
                WeightDecay = r.GetValue(WeightDecay) ?? Defaults.WeightDecay,
                Nesterov = r.GetValue(Nesterov) ?? Defaults.Nesterov,
                FreezeBn = r.GetValue(FreezeBn),
                MinCropScale = r.GetValue(MinCropScale) ?? Defaults.MinCropScale,
                EvalEvery = r.GetValue(EvalEvery) ?? Defaults.EvalEvery,
                Seed = r.GetValue(Shared.Seed) ?? Defaults.Seed,
                Threads = r.GetValue(Shared.Threads) ?? Defaults.Threads,
                Device = Shared.Device.Get(r).Name,
                Deterministic = r.GetValue(Shared.Deterministic) ?? Defaults.Deterministic,
                ChannelsLast = r.GetValue(Shared.ChannelsLast) ?? Defaults.ChannelsLast,
            };
            string init = r.GetValue(Init) ?? throw new ArgumentException("--init is needed: a pretraining checkpoint (last.ckpt) or 'random'");
            if (!string.Equals(init, FineTuneConfig.RandomInit, StringComparison.OrdinalIgnoreCase))
            {
                if (!File.Exists(init)) throw new FileNotFoundException($"--init {init}: no such checkpoint (give a pretraining checkpoint, last.ckpt, or 'random')", init);
                if (r.GetResult(Shared.Arch) is { Implicit: false } || r.GetResult(Shared.Width) is { Implicit: false })
                    throw new ArgumentException("--arch and --width are the checkpoint's when --init is a checkpoint; give them with --init random only");
                using var contents = SafeTensors.Load(init);
                config = config.WithEncoderOf(init, Checkpoint.ReadConfig(contents));
                if (config.InChannels != images.Channels)
                    throw new ArgumentException($"the checkpoint's encoder takes {config.InChannels} channel(s), the training images have {images.Channels}");
            }
            config.Validate();
            return config;
        }
    }

    internal static Command Create() => Create(new Options());

    internal static Command Create(Options o) => CommandOptions.Build("finetune",
        "Fine-tunes an encoder (a pretraining checkpoint's, or --init random) with a linear classifier on few labels: writes last.ckpt and log.jsonl to --out, prints the test metrics.",
        o.All, r => Run(r, o));

    private static int Run(ParseResult r, Options o)
    {
        bool json = r.GetValue(o.Json);
        TextWriter log = json ? Console.Error : Console.Out;
        var trainSpec = DataOptions.Spec(r, o.Train);
        if (trainSpec.IsFiles)
            throw new ArgumentException($"--train {trainSpec}: moco finetune reads IDX data (fashion-mnist, idx:DIR) in this version; image folders and lists come next");
        var testSpec = DataOptions.OptionalSpec(r, o.Test) ?? trainSpec.TestSplit();
        if (testSpec.IsFiles) throw new ArgumentException($"--test {testSpec}: give IDX test data with IDX training data");
        string outDir = r.GetValue(o.Out)!;
        bool resume = r.GetValue(o.Resume);

        using var trainImages = DataSource.Load(trainSpec);
        using var testImages = DataSource.Load(testSpec, defaultTrain: false);
        long[] trainLabels = trainImages.Labels ?? throw new ArgumentException($"--train {trainSpec} has no labels");
        long[] testLabels = testImages.Labels ?? throw new ArgumentException($"--test {testSpec} has no labels");
        int classes = (int)Math.Max(trainLabels.Max(), testLabels.Max()) + 1;
        FineTuneConfig config = resume ? FineTuneRun.ReadConfig(outDir) : o.Configure(r, trainSpec, trainImages, classes);
        if (trainImages.Height != config.InputSize || trainImages.Width != config.InputSize)
            throw new ArgumentException($"the run's views are {config.InputSize}×{config.InputSize}, the training images {trainImages.Height}×{trainImages.Width}");

        new TrainingEnvironment { Threads = config.Threads, DeviceType = MoCo.Training.Tensors.TensorExtensions.ParseDevice(config.Device).type, Deterministic = config.Deterministic }.Apply();
        using var train = new LabelledTrainingSet(trainImages, config);
        var test = new InMemoryLabelledImages(testImages, LabelledTrainingSet.Evaluation(config));
        string budget = config.LabelsPerClass is { } n ? $"{n} per class" : config.LabelFraction is { } f ? string.Create(CultureInfo.InvariantCulture, $"a fraction {f} per class") : "all";
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fine-tuning {(config.Init == FineTuneConfig.RandomInit ? "a random " : "")}{config.Arch} width {config.Width}{(config.Init == FineTuneConfig.RandomInit ? "" : $" from {config.Init}")} on {trainSpec} " +
            $"({train.Count} labelled images: {budget}, seed {config.Seed}), test {testSpec} ({testImages.Count}), {config.Classes} classes, {config.Epochs} epochs, batch {config.BatchSize}, " +
            $"lr {config.LearningRate} (head {config.HeadLr}), {(config.Nesterov ? "Nesterov " : "")}momentum {config.Momentum}, weight decay {config.WeightDecay}{(config.FreezeBn ? ", BN frozen" : "")}, device {config.Device} → {outDir}"));

        using var run = resume ? FineTuneRun.Resume(outDir, train, test) : FineTuneRun.Start(config, train, test, outDir);
        try
        {
            run.Run(log);
        }
        catch (TrainingDivergedException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        var scores = run.Evaluate(test);
        var metrics = ProbeMetrics.From(scores.Truth, scores.Predicted, config.Classes, scores.Probabilities);
        IReadOnlyList<string> names = trainSpec.Kind == DataSourceKind.FashionMnist && config.Classes == FashionMnist.Classes.Count
            ? FashionMnist.Classes
            : [.. Enumerable.Range(0, config.Classes).Select(c => c.ToString(CultureInfo.InvariantCulture))];
        log.Write(Table(metrics, names, train.Count));
        log.WriteLine($"wrote {Path.Combine(outDir, FineTuneRun.CheckpointFile)}, {Path.Combine(outDir, FineTuneRun.LogFile)}");
        if (json) Console.WriteLine(Json(metrics, config, train.Count, testImages.Count));
        return 0;
    }

    private static string Table(ProbeMetrics m, IReadOnlyList<string> names, int trainCount)
    {
        var s = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        s.AppendLine(string.Create(inv, $"fine-tuned classifier ({trainCount} labelled training images) on {m.Count} test images: top-1 {m.MicroAccuracy * 100:F2}%, macro accuracy {m.MacroAccuracy * 100:F2}%, log-loss {m.LogLoss:F4}"));
        int width = Math.Max(12, names.Max(c => c.Length) + 2);
        s.AppendLine("class".PadRight(width) + "  precision     recall");
        for (int c = 0; c < names.Count; c++) s.AppendLine(names[c].PadRight(width) + string.Create(inv, $"  {m.Precision[c],9:F4}  {m.Recall[c],9:F4}"));
        s.AppendLine("confusion matrix (rows: true class, columns: predicted, in the order above)");
        int cell = Math.Max(5, m.Count.ToString(inv).Length + 1);
        for (int t = 0; t < names.Count; t++)
        {
            s.Append(names[t].PadRight(width));
            for (int p = 0; p < names.Count; p++) s.Append(m.Confusion[t, p].ToString(inv).PadLeft(cell));
            s.AppendLine();
        }
        return s.ToString();
    }

    private static string Json(ProbeMetrics m, FineTuneConfig config, int trainCount, int testCount)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("init", config.Init);
            w.WriteNumber("top1", m.MicroAccuracy);
            w.WriteNumber("macro_accuracy", m.MacroAccuracy);
            w.WriteNumber("log_loss", m.LogLoss ?? double.NaN);
            if (config.LabelsPerClass is { } n) w.WriteNumber("labels_per_class", n); else w.WriteNull("labels_per_class");
            if (config.LabelFraction is { } f) w.WriteNumber("label_fraction", f); else w.WriteNull("label_fraction");
            w.WriteNumber("train_images", trainCount);
            w.WriteNumber("test_images", testCount);
            w.WriteNumber("epochs", config.Epochs);
            w.WriteNumber("seed", config.Seed);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
