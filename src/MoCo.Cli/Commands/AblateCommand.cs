using System.CommandLine;
using MoCo.Cli.Options;
using MoCo.Cli.Recipes;
using MoCo.Imaging.Datasets;
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
    internal sealed class Options : ICommandOptions
    {
        internal readonly Option<string> Data = DataOptions.Source("--data", "training images", "fashion-mnist:train");
        internal readonly Option<string?> TestData = DataOptions.OptionalSource("--test-data", "labelled test images (default: the test split of an IDX --data; required for image files)");
        internal readonly RenamedOption<int?> First = DataOptions.First("--first", "training images to pretrain on", "--limit");
        internal readonly Option<int> Labels = new("--labels") { Description = "label budget: the first N training images form the kNN bank and the linear probe's training set", DefaultValueFactory = _ => 10000 };
        internal readonly RenamedOption<int> TestFirst = DataOptions.First("--test-first", "test images", "--test-limit", 10000);
        internal readonly Option<string> Sweep = new("--sweep") { Description = "comma list of negatives, momentum, shuffle-bn", DefaultValueFactory = _ => "negatives,momentum,shuffle-bn" };
        internal readonly RenamedOption<string?> Negatives = new(new Option<string?>("--negatives") { Description = "comma list: the K values of the negatives sweep (default 256,1024,4096)" }, "--k");
        internal readonly Option<string?> Methods = new("--methods") { Description = "comma list: the mechanisms of the negatives sweep (default moco,end-to-end,memory-bank)" };
        internal readonly RenamedOption<string?> Momenta = new(new Option<string?>("--momenta") { Description = "comma list: the m values of the momentum sweep (default 0,0.9,0.99,0.999,0.9999)" }, "--m");
        internal readonly Option<bool> Baseline = new("--baseline") { Description = "also evaluate the encoder at initialisation, untrained (a random-init row)", DefaultValueFactory = _ => true };
        internal readonly Option<int> MaxBatch = new("--max-batch") { Description = "largest end-to-end batch run; larger ones are listed as skipped", DefaultValueFactory = _ => 1024 };
        internal readonly Option<int> ProbeIterations = new("--probe-iterations") { Description = "full-batch steps of the linear probe", DefaultValueFactory = _ => 500 };
        internal readonly Option<string> Out = new("--out") { Description = "output directory: one folder per point, results.csv, results.md", DefaultValueFactory = _ => "ablation" };
        internal readonly PretrainOptions Pretraining = new(withMethod: false);
        internal readonly EvaluationOptions Evaluation = new(withOldProbeSpellings: false);
        internal readonly ImageFileOptions Files = new();

        public IEnumerable<Option> All => [Data, TestData, .. First.Options, Labels, .. TestFirst.Options, Sweep, .. Negatives.Options, Methods, .. Momenta.Options,
            Baseline, MaxBatch, ProbeIterations, Out, .. Pretraining.All, .. Evaluation.All, .. Files.All];

        /// <summary>The base config of every point (each point is checked when it runs).</summary>
        internal PretrainConfig Configure(ParseResult r, int viewSize, int channels, Func<int, (double[] Mean, double[] Std)> normalisation) =>
            Evaluation.Apply(r, Pretraining.Configure(r, viewSize, channels, normalisation));

        /// <summary>The sweeps asked for.</summary>
        internal AblationSweeps Sweeps(ParseResult r)
        {
            var names = OptionValues.List(r.GetValue(Sweep)!, s => s, "--sweep");
            foreach (string name in names)
                if (name is not ("negatives" or "momentum" or "shuffle-bn")) throw new ArgumentException($"unknown sweep '{name}': use negatives, momentum, shuffle-bn");
            var sweeps = new AblationSweeps
            {
                Negatives = names.Contains("negatives"), Momentum = names.Contains("momentum"), ShuffleBn = names.Contains("shuffle-bn"),
                MaxEndToEndBatch = r.GetValue(MaxBatch), Baseline = r.GetValue(Baseline),
            };
            if (Negatives.Get(r) is { } k) sweeps = sweeps with { NegativesList = OptionValues.List(k, OptionValues.Int, "--negatives") };
            if (r.GetValue(Methods) is { } methods) sweeps = sweeps with { Methods = OptionValues.List(methods, ContrastiveMethodNames.Parse, "--methods") };
            if (Momenta.Get(r) is { } m) sweeps = sweeps with { Momenta = OptionValues.List(m, OptionValues.Double, "--momenta") };
            return sweeps;
        }
    }

    internal static Command Create(Options? o = null) => CommandOptions.Build("ablate",
        "Ablation grid: a pretraining run per point (K per mechanism, momentum, shuffle BN), kNN and linear-probe top-1 each; writes results.csv and results.md to --out. " +
        "The pretraining options (as `moco pretrain`'s) set every point's base config; --negatives, --momenta and --sweep shuffle-bn vary K, m and shuffle BN per point.",
        o ?? new Options(), Run);

    private static int Run(ParseResult r, Options o)
    {
        var data = DataOptions.Spec(r, o.Data);
        var sweeps = o.Sweeps(r);
        return data.IsFiles ? RunOnFiles(r, o, data, sweeps) : RunInMemory(r, o, data, sweeps);
    }

    private static int RunInMemory(ParseResult r, Options o, DataSourceSpec data, AblationSweeps sweeps)
    {
        using var images = DataSource.Load(data, o.First.Get(r) ?? int.MaxValue);
        if (r.GetValue(o.Files.InputSize) is { } size && size != images.Height)
            throw new ArgumentException($"--input-size {size}: IDX views are the images' own side ({images.Height}); --input-size is for image files");
        var testSpec = DataOptions.OptionalSpec(r, o.TestData) ?? data.TestSplit();
        using var labelled = DataSource.Load(data, OptionValues.Positive(r.GetValue(o.Labels), "--labels"));
        using var test = DataSource.Load(testSpec, OptionValues.Positive(o.TestFirst.Get(r), "--test-first"), defaultTrain: false);
        var config = o.Configure(r, images.Height, images.Channels, _ => DataSource.Normalisation(data, images.Channels));
        var augmentation = config.Augmentation(config.InputSize, config.Mean, config.Std);
        var evaluation = new AblationEvaluationData(new InMemoryLabelledImages(labelled, augmentation), new InMemoryLabelledImages(test, augmentation));
        return Sweep(r, o, config, sweeps, c => new InMemoryViewPairSource(images, augmentation with { }, c.Seed), evaluation,
            $"{data} ({images.Count} images), labels {labelled.Count}, test {testSpec} ({test.Count})");
    }

    /// <summary>Image files through MoCo.Imaging's loader, as `moco pretrain` on files.</summary>
    private static int RunOnFiles(ParseResult r, Options o, DataSourceSpec data, AblationSweeps sweeps)
    {
        var testSpec = DataOptions.OptionalSpec(r, o.TestData) ?? throw new ArgumentException("--test-data is required with image files (a class-folder tree or a list)");
        var dataset = DataSource.Files(data, o.First.Get(r) ?? int.MaxValue);
        if (dataset.Classes.Count == 0) throw new ArgumentException($"'{data}' has no class subfolders: the evaluation needs labelled training images");
        var config = o.Configure(r, r.GetValue(o.Files.InputSize) ?? 224, 3, ImageFileRecipe.ImageNetStatistics);
        int workers = o.Files.WorkerCount(r);
        bool scaled = o.Files.Scaled(r);
        var recipe = ImageFileRecipe.Augmentation(config);
        var labelled = DataSource.Files(data, OptionValues.Positive(r.GetValue(o.Labels), "--labels"));
        var test = DataSource.Files(testSpec, OptionValues.Positive(o.TestFirst.Get(r), "--test-first"));
        var evaluation = new AblationEvaluationData(ImageFileRecipe.Labelled(labelled, config, workers), ImageFileRecipe.Labelled(test, config, workers));
        return Sweep(r, o, config, sweeps, c => ImageFileRecipe.Views(dataset, c, recipe, workers, scaled), evaluation,
            $"{data} ({dataset.Count} images), labels {labelled.Count}, test {testSpec} ({test.Count})");
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
            Probe = new LinearProbeOptions { Iterations = OptionValues.Positive(r.GetValue(o.ProbeIterations), "--probe-iterations") },
        };
        var results = runner.Run(points, Console.Out);
        int failed = results.Count(x => x.Status == "failed"), skipped = results.Count(x => x.Status == "skipped");
        Console.WriteLine($"{results.Count - failed - skipped} point(s) ok, {failed} failed, {skipped} skipped: " +
                          $"{Path.Combine(outDir, AblationRunner.MarkdownFile)}, {Path.Combine(outDir, AblationRunner.CsvFile)}");
        string csv = Path.Combine(outDir, AblationRunner.CsvFile);
        var figures = MoCo.Plots.AblationFigures.WriteAll(MoCo.Plots.AblationRow.Parse(File.ReadAllText(csv), csv), outDir, 800, 500);
        if (figures.Count > 0) Console.WriteLine("figures: " + string.Join(", ", figures));
        return 0;
    }
}
