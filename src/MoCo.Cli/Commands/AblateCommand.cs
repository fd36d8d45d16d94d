using System.CommandLine;
using System.Globalization;
using MoCo.Training.Ablation;
using MoCo.Training.Data;
using MoCo.Training.Evaluation;
using MoCo.Training.Method;
using MoCo.Training.Trainer;

namespace MoCo.Cli.Commands;

/// <summary>`moco ablate`: sweeps a grid of pretraining runs on one data set (negatives K per mechanism, momentum m,
/// shuffle BN) and tabulates kNN and linear-probe top-1 per point (docs/ablation.md).</summary>
internal static class AblateCommand
{
    private sealed class Options
    {
        internal readonly Option<string> Data = new("--data") { Description = "training images: fashion-mnist[:train|test], idx:DIR[:train|test], a class-folder tree or a .txt/.csv list", DefaultValueFactory = _ => "fashion-mnist:train" };
        internal readonly Option<string?> TestData = new("--test-data") { Description = "labelled test images (default: the test split of fashion-mnist / idx:DIR; required for image files)" };
        internal readonly Option<string> Sweep = new("--sweep") { Description = "comma list of negatives, momentum, shuffle-bn", DefaultValueFactory = _ => "negatives,momentum,shuffle-bn" };
        internal readonly Option<string?> K = new("--k") { Description = "K values of the negatives sweep (default 256,1024,4096)" };
        internal readonly Option<string?> Methods = new("--methods") { Description = "mechanisms of the negatives sweep (default moco,end-to-end,memory-bank)" };
        internal readonly Option<string?> M = new("--m") { Description = "momenta of the momentum sweep (default 0,0.9,0.99,0.999,0.9999)" };
        internal readonly Option<bool> Baseline = new("--baseline") { Description = "also evaluate the encoder at initialisation, untrained (a random-init row)", DefaultValueFactory = _ => true };
        internal readonly Option<int> MaxBatch = new("--max-batch") { Description = "largest end-to-end batch run; larger ones are listed as skipped", DefaultValueFactory = _ => 1024 };
        internal readonly Option<string> Out = new("--out") { Description = "output directory: one folder per point, results.csv, results.md", DefaultValueFactory = _ => "ablation" };
        internal readonly Option<string> Preset = new("--preset") { Description = "v1 or v2 (the base config of every point)", DefaultValueFactory = _ => "v2" };
        internal readonly Option<string?> Arch = new("--arch") { Description = "resnet18, resnet34 or resnet50" };
        internal readonly Option<int?> Width = new("--width") { Description = "base width (torchvision: 64)" };
        internal readonly Option<bool?> SmallImages = new("--small-images") { Description = "3×3 stride-1 stem, no max-pool (default: images ≤ 64 px)" };
        internal readonly Option<int?> Batch = new("--batch") { Description = "batch size of MoCo and memory-bank points" };
        internal readonly Option<int?> Queue = new("--queue") { Description = "K of the momentum and shuffle-BN sweeps" };
        internal readonly Option<double?> Momentum = new("--momentum") { Description = "m of the negatives and shuffle-BN sweeps" };
        internal readonly Option<double?> Temperature = new("--temperature") { Description = "softmax temperature τ" };
        internal readonly Option<int?> BnSplits = new("--bn-splits") { Description = "split BN sub-batches (shuffle BN needs more than 1)" };
        internal readonly Option<double?> Lr = new("--lr") { Description = "base learning rate" };
        internal readonly Option<int?> Epochs = new("--epochs") { Description = "epochs per point" };
        internal readonly Option<int?> Limit = new("--limit") { Description = "pretrain on the first N training images" };
        internal readonly Option<int> Labels = new("--labels") { Description = "label budget: the first N training images form the kNN bank and the linear probe's training set", DefaultValueFactory = _ => 10000 };
        internal readonly Option<int> TestLimit = new("--test-limit") { Description = "use the first N test images", DefaultValueFactory = _ => 10000 };
        internal readonly Option<int> ProbeIterations = new("--probe-iterations") { Description = "full-batch steps of the linear probe", DefaultValueFactory = _ => 500 };
        internal readonly Option<int?> Threads = new("--threads") { Description = "libtorch threads" };
        internal readonly Option<ulong?> Seed = new("--seed") { Description = "seed (the same for every point)" };
        internal readonly Option<string?> Device = new("--device") { Description = "cpu, cuda or cuda:N" };
        internal readonly Option<int?> CheckpointEvery = new("--checkpoint-every") { Description = "steps between checkpoints (0: per epoch)" };
        internal readonly Option<int?> InputSize = new("--input-size") { Description = "view side for image files (default 224)" };
        internal readonly Option<int?> Workers = new("--workers") { Description = "loader threads for image files (default: the processor count)" };

        internal IEnumerable<Option> All => [Data, TestData, Sweep, K, Methods, M, Baseline, MaxBatch, Out, Preset, Arch, Width, SmallImages, Batch, Queue, Momentum,
            Temperature, BnSplits, Lr, Epochs, Limit, Labels, TestLimit, ProbeIterations, Threads, Seed, Device, CheckpointEvery, InputSize, Workers];
    }

    internal static Command Create()
    {
        var o = new Options();
        var command = new Command("ablate", "Ablation grid: a pretraining run per point (K per mechanism, momentum, shuffle BN), kNN and linear-probe top-1 each; writes results.csv and results.md to --out.");
        foreach (Option option in o.All) command.Options.Add(option);
        command.SetAction(result => Run(result, o));
        return command;
    }

    private static int Run(ParseResult r, Options o)
    {
        string data = r.GetValue(o.Data)!;
        var sweeps = Sweeps(r, o);
        return DataSource.IsFiles(data) ? RunOnFiles(r, o, data, sweeps) : RunInMemory(r, o, data, sweeps);
    }

    private static int RunInMemory(ParseResult r, Options o, string data, AblationSweeps sweeps)
    {
        using var images = DataSource.Load(data, r.GetValue(o.Limit) ?? int.MaxValue);
        string testSpec = r.GetValue(o.TestData) ?? DefaultTestSplit(data);
        using var labelled = DataSource.Load(data, Positive(r.GetValue(o.Labels), "--labels"));
        using var test = DataSource.Load(testSpec, Positive(r.GetValue(o.TestLimit), "--test-limit"), defaultTrain: false);
        var (mean, std) = DataSource.Normalisation(data, images.Channels);
        var config = Configure(r, o, images.Height, images.Channels) with { InputSize = images.Height, Mean = mean, Std = std };
        var augmentation = config.Augmentation(config.InputSize, config.Mean, config.Std);
        var evaluation = new AblationEvaluationData(new InMemoryLabelledImages(labelled, augmentation), new InMemoryLabelledImages(test, augmentation));
        return Sweep(r, o, config, sweeps, c => new InMemoryViewPairSource(images, augmentation with { }, c.Seed), evaluation,
            $"{data} ({images.Count} images), labels {labelled.Count}, test {testSpec} ({test.Count})");
    }

    /// <summary>Image files through MoCo.Imaging's loader, as `moco pretrain` on files.</summary>
    private static int RunOnFiles(ParseResult r, Options o, string data, AblationSweeps sweeps)
    {
        string testSpec = r.GetValue(o.TestData) ?? throw new ArgumentException("--test-data is required with image files (a class-folder tree or a list)");
        var dataset = DataSource.Files(data, r.GetValue(o.Limit) ?? int.MaxValue);
        if (dataset.Classes.Count == 0) throw new ArgumentException($"'{data}' has no class subfolders: the evaluation needs labelled training images");
        int size = r.GetValue(o.InputSize) ?? 224;
        const int channels = 3;
        double[] mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
        var config = Configure(r, o, size, channels) with { InputSize = size, Mean = mean, Std = std };
        int workers = r.GetValue(o.Workers) ?? 0;
        var recipe = config.AugmentationRecipe(size, mean, std);
        var eval = new MoCo.Imaging.Transforms.EvalTransform((int)Math.Round(size * 256.0 / 224), size) { Mean = recipe.Mean, Std = recipe.Std };
        LoaderLabelledImages Labelled(MoCo.Imaging.Datasets.IImageDataset set) => new(
            MoCo.Imaging.Loading.ImageLoader.ForExtraction(set, eval, channels, new MoCo.Imaging.Loading.LoaderOptions(BatchSize: 256, Workers: workers, DropLast: false, Shuffle: false)),
            set.Count, set.Classes.Count);
        var labelled = DataSource.Files(data, Positive(r.GetValue(o.Labels), "--labels"));
        var test = DataSource.Files(testSpec, Positive(r.GetValue(o.TestLimit), "--test-limit"));
        var evaluation = new AblationEvaluationData(Labelled(labelled), Labelled(test));
        IViewPairSource Source(PretrainConfig c) => new LoaderViewPairSource(
            MoCo.Imaging.Loading.ImageLoader.ForPretraining(dataset, recipe, channels, new MoCo.Imaging.Loading.LoaderOptions(
                BatchSize: c.BatchSize, Workers: workers, Seed: unchecked((int)c.Seed), ReplaceBadFiles: true)),
            dataset.Count, channels, size, c.BatchSize);
        return Sweep(r, o, config, sweeps, Source, evaluation, $"{data} ({dataset.Count} images), labels {labelled.Count}, test {testSpec} ({test.Count})");
    }

    private static int Sweep(ParseResult r, Options o, PretrainConfig config, AblationSweeps sweeps, Func<PretrainConfig, IViewPairSource> source,
        AblationEvaluationData evaluation, string description)
    {
        var points = AblationGrid.Expand(config, sweeps);
        string outDir = r.GetValue(o.Out)!;
        Console.WriteLine($"ablation on {description}: {points.Count} points, {config.Arch} width {config.Width}, {config.Epochs} epoch(s) each → {outDir}");
        TrainingEnvironment.For(config).Apply();
        var runner = new AblationRunner(config, source, evaluation, outDir)
        {
            Probe = new LinearProbeOptions { Iterations = Positive(r.GetValue(o.ProbeIterations), "--probe-iterations") },
        };
        var results = runner.Run(points, Console.Out);
        int failed = results.Count(x => x.Status == "failed"), skipped = results.Count(x => x.Status == "skipped");
        Console.WriteLine($"{results.Count - failed - skipped} point(s) ok, {failed} failed, {skipped} skipped: " +
                          $"{Path.Combine(outDir, AblationRunner.MarkdownFile)}, {Path.Combine(outDir, AblationRunner.CsvFile)}");
        return 0;
    }

    private static AblationSweeps Sweeps(ParseResult r, Options o)
    {
        var names = List(r.GetValue(o.Sweep)!, s => s);
        foreach (string name in names)
            if (name is not ("negatives" or "momentum" or "shuffle-bn")) throw new ArgumentException($"unknown sweep '{name}': use negatives, momentum, shuffle-bn");
        var sweeps = new AblationSweeps
        {
            Negatives = names.Contains("negatives"), Momentum = names.Contains("momentum"), ShuffleBn = names.Contains("shuffle-bn"),
            MaxEndToEndBatch = r.GetValue(o.MaxBatch), Baseline = r.GetValue(o.Baseline),
        };
        if (r.GetValue(o.K) is { } k) sweeps = sweeps with { NegativesList = List(k, s => int.Parse(s, CultureInfo.InvariantCulture)) };
        if (r.GetValue(o.Methods) is { } methods) sweeps = sweeps with { Methods = List(methods, ContrastiveMethodNames.Parse) };
        if (r.GetValue(o.M) is { } m) sweeps = sweeps with { Momenta = List(m, s => double.Parse(s, CultureInfo.InvariantCulture)) };
        return sweeps;
    }

    private static List<T> List<T>(string text, Func<string, T> parse)
    {
        try
        {
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(parse).ToList();
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"'{text}' is not a comma list of numbers: {e.Message}", e);
        }
    }

    private static int Positive(int value, string option) => value > 0 ? value : throw new ArgumentException($"{option} must be positive, got {value}");

    private static string DefaultTestSplit(string data)
    {
        string[] parts = data.Split(':');
        return parts[0] == "idx" && parts.Length >= 2 ? $"idx:{parts[1]}:test" : "fashion-mnist:test";
    }

    private static PretrainConfig Configure(ParseResult r, Options o, int imageSize, int imageChannels)
    {
        var c = PretrainConfig.FromPreset(r.GetValue(o.Preset)!);
        bool small = r.GetValue(o.SmallImages) ?? imageSize <= 64;
        return c with
        {
            Arch = r.GetValue(o.Arch) ?? (small ? "resnet18" : c.Arch),
            Width = r.GetValue(o.Width) ?? c.Width,
            SmallImages = small,
            InChannels = imageChannels,
            BatchSize = r.GetValue(o.Batch) ?? c.BatchSize,
            QueueSize = r.GetValue(o.Queue) ?? c.QueueSize,
            Momentum = r.GetValue(o.Momentum) ?? c.Momentum,
            Temperature = r.GetValue(o.Temperature) ?? c.Temperature,
            BnSplits = r.GetValue(o.BnSplits) ?? c.BnSplits,
            LearningRate = r.GetValue(o.Lr) ?? c.LearningRate,
            Epochs = r.GetValue(o.Epochs) ?? c.Epochs,
            Threads = r.GetValue(o.Threads) ?? c.Threads,
            Seed = r.GetValue(o.Seed) ?? c.Seed,
            Device = r.GetValue(o.Device) ?? c.Device,
            CheckpointEvery = r.GetValue(o.CheckpointEvery) ?? c.CheckpointEvery,
        };
    }
}
