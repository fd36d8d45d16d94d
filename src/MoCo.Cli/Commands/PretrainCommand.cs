using System.CommandLine;
using System.Globalization;
using MoCo.Cli.Options;
using MoCo.Cli.Recipes;
using MoCo.Imaging.Datasets;
using MoCo.Training.Data;
using MoCo.Training.Evaluation;
using MoCo.Training.Method;
using MoCo.Training.Trainer;

namespace MoCo.Cli.Commands;

/// <summary>`moco pretrain`: contrastive pretraining (MoCo v1/v2, end-to-end, memory bank) on a data source, writing a run directory.</summary>
internal static class PretrainCommand
{
    internal sealed class Options : ICommandOptions
    {
        internal readonly Option<string> Data = DataOptions.Source("--data", "training images", "fashion-mnist:train");
        internal readonly RenamedOption<int?> First = DataOptions.First("--first", "training images", "--limit");
        internal readonly Option<string?> KnnData = DataOptions.OptionalSource("--knn-data", "labelled test set for the kNN monitor (its bank: the training data; IDX default split test)");
        internal readonly RenamedOption<int?> KnnFirst = DataOptions.First("--knn-first", "images of the kNN bank and test set", "--knn-limit");
        internal readonly Option<string> Out = new("--out") { Description = "run directory (last.ckpt, log.jsonl, curves.svg)", DefaultValueFactory = _ => "run" };
        internal readonly Option<bool> Resume = new("--resume") { Description = "continue the run in --out from its checkpoint (its saved config; recipe options and --init are ignored)" };
        internal readonly PretrainOptions Pretraining = new(withMethod: true, withInit: true);
        internal readonly EvaluationOptions Evaluation = new(withOldProbeSpellings: false);
        internal readonly ImageFileOptions Files = new();

        public IEnumerable<Option> All => [Data, .. First.Options, KnnData, .. KnnFirst.Options, Out, Resume, .. Pretraining.All, .. Evaluation.All, .. Files.All];

        /// <summary>The config of a new run on data of <paramref name="viewSize"/> px and <paramref name="channels"/> channels.</summary>
        internal PretrainConfig Configure(ParseResult r, int viewSize, int channels, Func<int, (double[] Mean, double[] Std)> normalisation)
        {
            var config = Evaluation.Apply(r, Pretraining.Configure(r, viewSize, channels, normalisation, Pretraining.InitConfig(r)));
            config.Validate();
            return config;
        }
    }

    internal static Command Create(Options? o = null) => CommandOptions.Build("pretrain",
        "Contrastive pretraining (--method moco, end-to-end or memory-bank; presets v1/v2): writes last.ckpt (safetensors), log.jsonl and curves.svg to --out.",
        o ?? new Options(), Run);

    private static int Run(ParseResult r, Options o)
    {
        var data = DataOptions.Spec(r, o.Data);
        if (data.IsFiles) return RunOnFiles(r, o, data);
        string outDir = r.GetValue(o.Out)!;
        using var images = DataSource.Load(data, o.First.Get(r) ?? int.MaxValue);
        if (r.GetValue(o.Files.InputSize) is { } size && size != images.Height)
            throw new ArgumentException($"--input-size {size}: IDX views are the images' own side ({images.Height}); --input-size is for image files");
        PretrainConfig config = r.GetValue(o.Resume)
            ? PretrainRun.ReadConfig(outDir)
            : o.Configure(r, images.Height, images.Channels, _ => DataSource.Normalisation(data, images.Channels));
        var augmentation = config.Augmentation(config.InputSize, config.Mean, config.Std);
        var source = new InMemoryViewPairSource(images, augmentation, config.Seed);

        var knnData = DataOptions.OptionalSpec(r, o.KnnData);
        InMemoryImages? knnTest = null, knnBank = null;
        KnnMonitor? knn = null;
        if (knnData is not null)
        {
            int knnLimit = o.KnnFirst.Get(r) ?? int.MaxValue;
            knnTest = DataSource.Load(knnData, knnLimit, defaultTrain: false);
            knnBank = images.Take(knnLimit);
            knn = new KnnMonitor(knnBank, knnTest, augmentation with { }, config.KnnK, config.KnnTemperature);
        }
        try
        {
            return Train(config, source, knn, outDir, r.GetValue(o.Resume), data.Text, images.Count, $"{images.Channels}×{images.Height}×{images.Width}");
        }
        finally
        {
            knnTest?.Dispose();
            knnBank?.Dispose();
        }
    }

    /// <summary>Pretraining on image files through MoCo.Imaging's loader (decoding and the exact torchvision recipes on
    /// CPU worker threads).</summary>
    private static int RunOnFiles(ParseResult r, Options o, DataSourceSpec data)
    {
        string outDir = r.GetValue(o.Out)!;
        var dataset = DataSource.Files(data, o.First.Get(r) ?? int.MaxValue);
        int size = r.GetValue(o.Files.InputSize) ?? 224;
        PretrainConfig config = r.GetValue(o.Resume)
            ? PretrainRun.ReadConfig(outDir)
            : o.Configure(r, size, 3, ImageFileRecipe.ImageNetStatistics);
        var recipe = ImageFileRecipe.Augmentation(config);
        int workers = o.Files.WorkerCount(r);
        var source = ImageFileRecipe.Views(dataset, config, recipe, workers, o.Files.Scaled(r));
        // Both JPEG decoders give PIL's pixels; say which one runs, since the fallback is slower (docs/imaging.md).
        Console.WriteLine(MoCo.Imaging.ImageDecoder.JpegBackend == MoCo.Imaging.DecoderBackend.TurboJpeg
            ? "decoding: JPEG through the system's libturbojpeg, other formats through SkiaSharp"
            : "decoding: JPEG and other formats through SkiaSharp (libturbojpeg0 not found: JPEG decoding is slower)");
        KnnMonitor? knn = null;
        var knnData = DataOptions.OptionalSpec(r, o.KnnData);
        if (knnData is not null)
        {
            int knnLimit = o.KnnFirst.Get(r) ?? int.MaxValue;
            if (dataset.Classes.Count == 0) throw new ArgumentException("the kNN monitor needs labelled training data (class subfolders) as its bank");
            var bank = ImageFileRecipe.Labelled(DataSource.Files(data, knnLimit), config, workers);
            var test = ImageFileRecipe.Labelled(DataSource.Files(knnData, knnLimit), config, workers);
            knn = new KnnMonitor(bank, test, config.KnnK, config.KnnTemperature);
        }
        return Train(config, source, knn, outDir, r.GetValue(o.Resume), data.Text, dataset.Count, $"{config.InChannels}×{config.InputSize}×{config.InputSize} views");
    }

    private static int Train(PretrainConfig config, IViewPairSource source, KnnMonitor? knn, string outDir, bool resume, string data, int count, string shape)
    {
        string negatives = config.Method switch
        {
            ContrastiveMethod.EndToEnd => $"{2 * config.BatchSize - 2} in-batch negatives",
            ContrastiveMethod.MemoryBank => $"memory bank, K {config.QueueSize}",
            _ => $"K {config.QueueSize}",
        };
        Console.WriteLine($"pretraining {ContrastiveMethodNames.Format(config.Method)} (preset {config.Preset}) on {data} ({count} images, {shape}), {config.Arch} width {config.Width}, " +
                          $"batch {config.BatchSize}, {negatives}, {config.Epochs} epochs, device {config.Device} → {outDir}");
        TrainingEnvironment.For(config).Apply();
        using var run = resume ? PretrainRun.Resume(outDir, source, knn) : PretrainRun.Start(config, source, knn, outDir);
        if (run.Initialisation is { } init)
        {
            foreach (string line in init.Describe()) Console.WriteLine(line);
        }
        if (run.Position.GlobalStep == 0 && knn is not null)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kNN top-1 before training: {run.EvaluateKnn() * 100:F2}%"));
        try
        {
            run.Run(Console.Out);
        }
        catch (TrainingDivergedException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        if (knn is not null) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kNN top-1 after training: {run.EvaluateKnn() * 100:F2}%"));
        if (source.Skipped.Count > 0) Console.WriteLine($"{source.Skipped.Count} sample(s) skipped: see {Path.Combine(outDir, PretrainRun.SkippedFile)}");
        Console.WriteLine($"wrote {Path.Combine(outDir, PretrainRun.CheckpointFile)}, {Path.Combine(outDir, PretrainRun.LogFile)}, {Path.Combine(outDir, PretrainRun.CurvesFile)}");
        return 0;
    }
}
