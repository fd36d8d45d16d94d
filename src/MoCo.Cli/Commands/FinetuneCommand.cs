using System.CommandLine;
using System.Globalization;
using MoCo.Cli.Options;
using MoCo.Evaluation;
using MoCo.Imaging.Datasets;
using MoCo.MLNet.Probing;
using MoCo.Training.FineTuning;
using MoCo.Training.Serialization;
using MoCo.Training.Trainer;

namespace MoCo.Cli.Commands;

/// <summary>`moco finetune`: the encoder (a pretraining checkpoint's, or random) plus a linear classifier, trained end to
/// end with cross-entropy on seeded stratified subsets of the labelled training images, one run per label budget and
/// draw; each run writes last.ckpt, log.jsonl, the ONNX classifier, the ML.NET model zip and the figures as `moco probe`
/// does, and the budgets' figures go to label-efficiency.csv / .svg in `moco probe`'s format.</summary>
internal static class FinetuneCommand
{
    internal sealed class Options : ICommandOptions
    {
        internal readonly Option<string> Init = new("--init") { Description = "the encoder to start from: a pretraining checkpoint (last.ckpt of moco pretrain, or one moco import wrote) or 'random' (needed unless --resume)" };
        internal readonly Option<string> Train = DataOptions.Source("--train", "labelled training images", "fashion-mnist:train");
        internal readonly Option<string?> Test = DataOptions.OptionalSource("--test", "labelled test images (default: the training source's test split; needed for image files)");
        internal readonly Option<string> Out = new("--out") { Description = "run directory (last.ckpt, log.jsonl, classifier.onnx, model.zip, …); with several budgets or draws one sub-folder per run (lpc-N, fraction-F, all; -draw-D) and label-efficiency.csv/.svg", DefaultValueFactory = _ => "finetune" };
        internal readonly Option<bool> Resume = new("--resume") { Description = "continue each run in --out from its checkpoint (its saved config; recipe options are ignored); runs without one start" };
        internal readonly Option<string?> LabelsPerClass = new("--labels-per-class") { Description = "labelled training images per class, a seeded stratified draw; a list such as 1,10,100,all runs each budget (default: all)" };
        internal readonly Option<string?> LabelFraction = new("--label-fraction") { Description = "fractions of each class's training images, e.g. 0.01,0.1 (instead of --labels-per-class)" };
        internal readonly Option<int> Draws = new("--draws") { Description = "seeded draws per budget, a run each (draw d uses --seed and d, as moco probe's; 'all' is one draw). Default 1, not probe's 3: each draw is a whole fine-tuning run", DefaultValueFactory = _ => 1 };
        internal readonly Option<string?> CurveLabel = new("--curve-label") { Description = "the curve's name in label-efficiency.csv (default 'fine-tuned <init>')" };
        internal readonly Option<string?> Epochs = new("--epochs") { Description = $"epochs (default {Defaults.Epochs}); with a budget list, one value for all or one per budget in its order, e.g. --labels-per-class 10,100 --epochs 60,30" };
        internal readonly Option<int?> Batch = new("--batch") { Description = $"batch size (default {Defaults.BatchSize})" };
        internal readonly Option<double?> Lr = new("--lr") { Description = string.Create(CultureInfo.InvariantCulture, $"the backbone's base SGD learning rate, cosine schedule (default {Defaults.LearningRate})") };
        internal readonly Option<double?> HeadLr = new("--head-lr") { Description = "the classifier's base learning rate (default 10 × --lr)" };
        internal readonly Option<double?> WeightDecay = new("--weight-decay") { Description = string.Create(CultureInfo.InvariantCulture, $"SGD weight decay (default {Defaults.WeightDecay})") };
        internal readonly Option<bool?> Nesterov = new("--nesterov") { Description = "Nesterov momentum 0.9 (default true)" };
        internal readonly Option<bool> FreezeBn = new("--freeze-bn") { Description = "keep BatchNorm in eval mode while training (its running statistics fixed; γ, β still learn)" };
        internal readonly Option<double?> MinCropScale = new("--min-crop-scale") { Description = string.Create(CultureInfo.InvariantCulture, $"smallest area fraction of the training views' random resized crop (default {Defaults.MinCropScale})") };
        internal readonly Option<string?> HeadInit = new("--head-init") { Description = "how the classifier starts: random (PyTorch's initialisation) or probe (the linear probe on the frozen features, LP-FT)" };
        internal readonly Option<bool?> RecalibrateBn = new("--recalibrate-bn") { Description = "after the last epoch, recompute BatchNorm's running statistics on the labelled images through the evaluation transform (precise BN; default true)" };
        internal readonly Option<int?> EvalEvery = new("--eval-every") { Description = "epochs between test evaluations in log.jsonl (default 1; 0: the last epoch only)" };
        internal readonly Option<bool> Json = new("--json") { Description = "print one JSON line per run (top1, macro_accuracy, log_loss, labels_per_class, train_images, epochs, …) on stdout; progress and the tables go to stderr" };
        // --arch, --width, --small-images, --in-channels (random init), --seed, --threads, --device, --deterministic, --channels-last: as pretraining's.
        internal readonly PretrainOptions Shared = new(withMethod: false);
        internal readonly ImageFileOptions Files = new();
        internal readonly EvaluationOptions Evaluation = new(withOldProbeSpellings: false);

        /// <summary>--epochs for each of <paramref name="budgets"/> (null entries: the default): one value for all, or one per budget.</summary>
        internal int?[] EpochsPerBudget(ParseResult r, int budgets)
        {
            if (r.GetValue(Epochs) is not { } text) return new int?[budgets];
            var values = text.Split(',', StringSplitOptions.TrimEntries).Select(v =>
                int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int e) && e > 0 ? e : throw new ArgumentException($"--epochs {text}: '{v}' is not a positive whole number")).ToArray();
            if (values.Length == 1) return Enumerable.Repeat<int?>(values[0], budgets).ToArray();
            if (values.Length != budgets) throw new ArgumentException($"--epochs {text}: {values.Length} values for {budgets} label budget(s); give one for all or one per budget");
            return [.. values.Select(v => (int?)v)];
        }

        public IEnumerable<Option> All =>
        [
            Init, Train, Test, Out, Resume, LabelsPerClass, LabelFraction, Draws, CurveLabel, Epochs, Batch, Lr, HeadLr, WeightDecay, Nesterov, FreezeBn, MinCropScale, HeadInit, RecalibrateBn, EvalEvery, Json,
            Shared.Arch, Shared.Width, Shared.SmallImages, Shared.InChannels, Shared.Seed, Shared.Threads, Shared.Device.Option, Shared.Deterministic, Shared.ChannelsLast,
            .. Files.All, .. Evaluation.All,
        ];

        private static FineTuneConfig Defaults { get; } = new();

        /// <summary>The config of a new run on <paramref name="data"/> with <paramref name="budget"/> and draw <paramref name="draw"/>.</summary>
        internal FineTuneConfig Configure(ParseResult r, FinetuneData data, LabelBudget budget, int draw, int? epochs = null)
        {
            string init = r.GetValue(Init) ?? throw new ArgumentException("--init is needed: a pretraining checkpoint (last.ckpt) or 'random'");
            PretrainConfig? pretrained = null;
            if (!string.Equals(init, FineTuneConfig.RandomInit, StringComparison.OrdinalIgnoreCase))
            {
                if (!File.Exists(init)) throw new FileNotFoundException($"--init {init}: no such checkpoint (give a pretraining checkpoint, last.ckpt, or 'random')", init);
                if (r.GetResult(Shared.Arch) is { Implicit: false } || r.GetResult(Shared.Width) is { Implicit: false })
                    throw new ArgumentException("--arch and --width are the checkpoint's when --init is a checkpoint; give them with --init random only");
                using var contents = SafeTensors.Load(init);
                pretrained = Checkpoint.ReadConfig(contents);
            }
            else
            {
                init = FineTuneConfig.RandomInit;
            }

            int channels = data.Channels ?? r.GetValue(Shared.InChannels) ?? pretrained?.InChannels ?? 3;
            int side = data.Side ?? r.GetValue(Files.InputSize) ?? pretrained?.InputSize ?? 224;
            if (data.IsFiles && r.GetValue(Files.InputSize) is { } asked && asked <= 0) throw new ArgumentException($"--input-size must be positive, got {asked}");
            bool small = r.GetValue(Shared.SmallImages) ?? side <= 64;
            var (mean, std) = data.IsFiles ? Recipes.ImageFileRecipe.ImageNetStatistics(channels) : DataSource.Normalisation(data.TrainSpec, channels);
            var config = Defaults with
            {
                Arch = r.GetValue(Shared.Arch) ?? (small ? "resnet18" : "resnet50"),
                Width = r.GetValue(Shared.Width) ?? Defaults.Width,
                SmallImages = small,
                InChannels = channels,
                Classes = data.Classes.Count,
                ClassNames = [.. data.Classes],
                InputSize = side,
                Mean = mean,
                Std = std,
                LabelsPerClass = budget.PerClass,
                LabelFraction = budget.Fraction,
                Draw = draw,
                Epochs = epochs ?? Defaults.Epochs,
                BatchSize = r.GetValue(Batch) ?? Defaults.BatchSize,
                LearningRate = r.GetValue(Lr) ?? Defaults.LearningRate,
                HeadLearningRate = r.GetValue(HeadLr),
                WeightDecay = r.GetValue(WeightDecay) ?? Defaults.WeightDecay,
                Nesterov = r.GetValue(Nesterov) ?? Defaults.Nesterov,
                FreezeBn = r.GetValue(FreezeBn),
                MinCropScale = r.GetValue(MinCropScale) ?? Defaults.MinCropScale,
                HeadInit = r.GetValue(HeadInit) ?? Defaults.HeadInit,
                RecalibrateBn = r.GetValue(RecalibrateBn) ?? Defaults.RecalibrateBn,
                EvalEvery = r.GetValue(EvalEvery) ?? Defaults.EvalEvery,
                Seed = r.GetValue(Shared.Seed) ?? Defaults.Seed,
                Threads = r.GetValue(Shared.Threads) ?? Defaults.Threads,
                Device = Shared.Device.Get(r).Name,
                Deterministic = r.GetValue(Shared.Deterministic) ?? Defaults.Deterministic,
                ChannelsLast = r.GetValue(Shared.ChannelsLast) ?? Defaults.ChannelsLast,
            };
            if (pretrained is not null)
            {
                config = config.WithEncoderOf(init, pretrained);
                if (data.Channels is { } c && config.InChannels != c)
                    throw new ArgumentException($"the checkpoint's encoder takes {config.InChannels} channel(s), the training images have {c}");
                if (data.IsFiles && r.GetValue(Files.InputSize) is null) config = config with { InputSize = pretrained.InputSize };
            }
            config.Validate();
            return config;
        }
    }

    internal static Command Create(Options? o = null) => CommandOptions.Build("finetune",
        "Fine-tunes an encoder (a pretraining checkpoint's, or --init random) with a linear classifier on few labels, one run per label budget: " +
        "writes last.ckpt, log.jsonl, classifier.onnx, model.zip and the figures to --out, prints the test metrics as moco probe does.",
        o ?? new Options(), Run);

    /// <summary>A budget's run folder under --out: lpc-N, fraction-F or all, with -draw-D for draws after the first.</summary>
    internal static string RunFolder(LabelBudget budget, int draw) =>
        (budget.PerClass is { } n ? $"lpc-{n.ToString(CultureInfo.InvariantCulture)}" : budget.Fraction is { } f and < 1 ? $"fraction-{f.ToString("R", CultureInfo.InvariantCulture)}" : "all")
        + (draw > 0 ? $"-draw-{draw.ToString(CultureInfo.InvariantCulture)}" : "");

    private static int Run(ParseResult r, Options o)
    {
        bool json = r.GetValue(o.Json);
        TextWriter log = json ? Console.Error : Console.Out;
        var trainSpec = DataOptions.Spec(r, o.Train);
        var testSpec = DataOptions.OptionalSpec(r, o.Test) ?? trainSpec.TestSplit();
        string outDir = r.GetValue(o.Out)!;
        bool resume = r.GetValue(o.Resume);
        var budgets = LabelBudget.ParseEither(r.GetValue(o.LabelsPerClass), r.GetValue(o.LabelFraction));
        int draws = OptionValues.Positive(r.GetValue(o.Draws), "--draws");
        var budgetList = budgets ?? [LabelBudget.All];
        var epochs = o.EpochsPerBudget(r, budgetList.Count);
        var runs = budgetList.SelectMany((b, i) => Enumerable.Range(0, b.IsAll ? 1 : draws).Select(d => (Budget: b, Draw: d, Epochs: epochs[i]))).ToList();
        bool single = runs.Count == 1;
        var knn = new KnnOptions { K = o.Evaluation.K(r) ?? KnnOptions.DefaultK, Temperature = o.Evaluation.Temperature(r) is { } t ? (float)t : KnnOptions.DefaultTemperature };
        knn.Validate();
        int workers = o.Files.WorkerCount(r);
        bool scaled = o.Files.Scaled(r);

        using var data = FinetuneData.Open(trainSpec, testSpec);
        // Every run's config first: a budget larger than a class, or bad options, fail before any training.
        var planned = runs.Select(run =>
        {
            string dir = single ? outDir : Path.Combine(outDir, RunFolder(run.Budget, run.Draw));
            bool resumes = resume && File.Exists(Path.Combine(dir, FineTuneRun.CheckpointFile));
            var config = resumes ? FineTuneRun.ReadConfig(dir) : o.Configure(r, data, run.Budget, run.Draw, run.Epochs);
            if (resumes && budgets is not null && (config.Budget != run.Budget || config.Draw != run.Draw))
                throw new ArgumentException($"--resume: the run in {dir} trains on {config.Budget.Description} (draw {config.Draw}), not {run.Budget.Description} (draw {run.Draw}); give the budgets it was started with, or another --out");
            return (run.Budget, run.Draw, Dir: dir, Resumes: resumes, Config: config);
        }).ToList();

        var done = new List<(LabelBudget Budget, int Draw, FinetuneOutputs.Figures Figures, FineTuneConfig Config)>();
        foreach (var p in planned)
        {
            var figures = RunOne(p.Config, p.Dir, p.Resumes, data, workers, scaled, knn, log, out int code);
            if (figures is null) return code;
            if (json) Console.WriteLine(FinetuneOutputs.Json(figures, p.Config, p.Dir));
            done.Add((p.Budget, p.Draw, figures, p.Config));
        }

        if (budgets is not null)
        {
            string init = planned[0].Config.Init;
            string curve = r.GetValue(o.CurveLabel) ?? $"fine-tuned {(init == FineTuneConfig.RandomInit ? "random init" : init)}";
            var results = FinetuneOutputs.Curve(done, data.Classes.Count, knn.Name);
            if (!single) log.Write(LabelEfficiencyReport.Table(results, curve, done[0].Figures.Result.TestCount));
            var (csv, svg) = ProbePlotCommand.WriteCurve(outDir, results, curve);
            log.WriteLine($"wrote {csv}, {svg} (the linear line is the fine-tuned classifier; kNN runs on its features)");
        }
        return 0;
    }

    /// <summary>One run: train (or resume), evaluate, write its files; null with the exit code when it diverged.</summary>
    private static FinetuneOutputs.Figures? RunOne(FineTuneConfig config, string dir, bool resume, FinetuneData data, int workers, bool scaled, KnnOptions knn, TextWriter log, out int code)
    {
        code = 0;
        new TrainingEnvironment { Threads = config.Threads, DeviceType = MoCo.Training.Tensors.TensorExtensions.ParseDevice(config.Device).type, Deterministic = config.Deterministic }.Apply();
        using var train = data.TrainingSet(config, workers, scaled);
        var test = data.TestSet(config, workers, scaled);
        bool random = config.Init == FineTuneConfig.RandomInit;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fine-tuning {(random ? "a random " : "")}{config.Arch} width {config.Width}{(random ? "" : $" from {config.Init}")} on {data.TrainSpec} " +
            $"({train.Count} labelled images: {config.Budget.Description}, draw {config.Draw}, seed {config.Seed}), test {data.TestSpec} ({data.TestCount}), {config.Classes} classes, " +
            $"{config.InputSize}×{config.InputSize} views, {config.Epochs} epochs, batch {config.BatchSize}, lr {config.LearningRate} (head {config.HeadLr}), " +
            $"{(config.Nesterov ? "Nesterov " : "")}momentum {config.Momentum}, weight decay {config.WeightDecay}{(config.FreezeBn ? ", BN frozen" : "")}{(config.HeadInit == FineTuneConfig.ProbeHeadInit ? ", head from the linear probe" : "")}, device {config.Device} → {dir}"));

        using var run = resume ? FineTuneRun.Resume(dir, train, test) : FineTuneRun.Start(config, train, test, dir);
        try
        {
            // The live progress line (pretraining's) on stderr when it is a terminal; a log file or a pipe gets the epoch lines alone.
            run.Run(log, progress: Console.IsErrorRedirected ? null : Console.Error);
        }
        catch (TrainingDivergedException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            code = 2;
            return null;
        }

        var figures = FinetuneOutputs.Evaluate(run, train, test, data.Classes, knn);
        string encoder = random ? $"fine-tuned random {config.Arch}" : $"fine-tuned {config.Init}";
        log.WriteLine();
        log.Write(ProbeReport.Table(figures.Result, encoder));
        var (scored, skippedTest) = FinetuneData.Describe(test, data.TestSpec);
        var skipped = train.Skipped.Concat(skippedTest).Distinct().ToList();
        var written = FinetuneOutputs.Write(run, figures, dir, encoder, scored).ToList();
        if (skipped.Count > 0)
        {
            string list = Path.Combine(dir, "skipped.txt");
            File.WriteAllLines(list, skipped);
            written.Add(list);
            log.WriteLine($"{skipped.Count} unreadable image(s) skipped, listed in {list}");
        }
        log.WriteLine($"wrote {Path.Combine(dir, FineTuneRun.CheckpointFile)}, {Path.Combine(dir, FineTuneRun.LogFile)}, {string.Join(", ", written)}");
        return figures;
    }
}
