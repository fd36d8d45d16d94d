using System.CommandLine;
using System.Globalization;
using MoCo.Training.Data;
using MoCo.Training.Evaluation;
using MoCo.Training.Method;
using MoCo.Training.Trainer;

namespace MoCo.Cli.Commands;

/// <summary>`moco pretrain`: contrastive pretraining (MoCo v1/v2, end-to-end, memory bank) on a data source, writing a run directory.</summary>
internal static class PretrainCommand
{
    private sealed class Options
    {
        internal readonly Option<string> Data = new("--data") { Description = "training images: fashion-mnist[:train|test] or idx:DIR[:train|test]", DefaultValueFactory = _ => "fashion-mnist:train" };
        internal readonly Option<string?> Method = new("--method") { Description = "contrastive mechanism: moco, end-to-end (SimCLR's NT-Xent over the batch) or memory-bank (InstDisc); default moco" };
        internal readonly Option<string> Preset = new("--preset") { Description = "v1 or v2", DefaultValueFactory = _ => "v2" };
        internal readonly Option<string> Out = new("--out") { Description = "run directory (last.ckpt, log.jsonl, curves.svg)", DefaultValueFactory = _ => "run" };
        internal readonly Option<string?> Arch = new("--arch") { Description = "resnet18, resnet34 or resnet50" };
        internal readonly Option<int?> Width = new("--width") { Description = "base width (torchvision: 64)" };
        internal readonly Option<bool?> SmallImages = new("--small-images") { Description = "3×3 stride-1 stem, no max-pool" };
        internal readonly Option<int?> InChannels = new("--in-channels") { Description = "1 or 3 (default: the data's)" };
        internal readonly Option<int?> Batch = new("--batch") { Description = "batch size" };
        internal readonly Option<int?> Queue = new("--queue") { Description = "negatives K: MoCo's queue length, the memory bank's sampled negatives (end-to-end: 2N − 2, tied to --batch)" };
        internal readonly Option<double?> Momentum = new("--momentum") { Description = "key-encoder momentum m" };
        internal readonly Option<double?> BankMomentum = new("--bank-momentum") { Description = "memory bank: momentum of the update on representations (default 0.5)" };
        internal readonly Option<double?> Temperature = new("--temperature") { Description = "softmax temperature τ" };
        internal readonly Option<bool?> Symmetric = new("--symmetric") { Description = "symmetric loss" };
        internal readonly Option<int?> BnSplits = new("--bn-splits") { Description = "split BN sub-batches" };
        internal readonly Option<double?> Lr = new("--lr") { Description = "base learning rate" };
        internal readonly Option<int?> Epochs = new("--epochs") { Description = "epochs" };
        internal readonly Option<string?> Schedule = new("--schedule") { Description = "cosine or multistep" };
        internal readonly Option<bool?> LrPerStep = new("--lr-per-step") { Description = "update the learning rate every step (default: per epoch)" };
        internal readonly Option<int?> WarmupEpochs = new("--warmup-epochs") { Description = "linear warm-up epochs" };
        internal readonly Option<int?> Limit = new("--limit") { Description = "use the first N samples" };
        internal readonly Option<int?> Threads = new("--threads") { Description = "libtorch threads" };
        internal readonly Option<ulong?> Seed = new("--seed") { Description = "seed" };
        internal readonly Option<string?> KnnData = new("--knn-data") { Description = "labelled test set for the kNN monitor (bank: the training data)" };
        internal readonly Option<int?> KnnLimit = new("--knn-limit") { Description = "use the first N samples of the kNN sets" };
        internal readonly Option<string?> Device = new("--device") { Description = "cpu, cuda or cuda:N" };
        internal readonly Option<bool?> Deterministic = new("--deterministic") { Description = "deterministic kernels (default true; false lets cuDNN autotune on a GPU: faster, not bit-exact)" };
        internal readonly Option<bool?> ChannelsLast = new("--channels-last") { Description = "NHWC activations on the CPU (default true: oneDNN convolutions without reorders; false for NCHW)" };
        internal readonly Option<int?> CheckpointEvery = new("--checkpoint-every") { Description = "steps between checkpoints (0: per epoch)" };
        internal readonly Option<bool> Resume = new("--resume") { Description = "continue the run in --out from its checkpoint" };
        internal readonly Option<int?> InputSize = new("--input-size") { Description = "view side for image files (default 224)" };
        internal readonly Option<int?> Workers = new("--workers") { Description = "loader threads for image files (default: the processor count)" };
        internal readonly Option<bool?> ScaledDecode = new("--scaled-decode") { Description = "DCT-scale large JPEGs while every crop keeps the view size (default true; false: full-size decode, bit-exact with torchvision + PIL)" };

        internal IEnumerable<Option> All => [Data, Method, Preset, Out, Arch, Width, SmallImages, InChannels, Batch, Queue, Momentum, BankMomentum, Temperature, Symmetric,
            BnSplits, Lr, Epochs, Schedule, LrPerStep, WarmupEpochs, Limit, Threads, Seed, KnnData, KnnLimit, Device, Deterministic, ChannelsLast, CheckpointEvery, Resume, InputSize, Workers, ScaledDecode];
    }

    internal static Command Create()
    {
        var o = new Options();
        var command = new Command("pretrain", "Contrastive pretraining (--method moco, end-to-end or memory-bank; presets v1/v2): writes last.ckpt (safetensors), log.jsonl and curves.svg to --out.");
        foreach (Option option in o.All) command.Options.Add(option);
        command.SetAction(result => Run(result, o));
        return command;
    }

    private static int Run(ParseResult r, Options o)
    {
        string data = r.GetValue(o.Data)!;
        if (DataSource.IsFiles(data)) return RunOnFiles(r, o, data);
        string outDir = r.GetValue(o.Out)!;
        int limit = r.GetValue(o.Limit) ?? int.MaxValue;
        using var images = DataSource.Load(data, limit);
        var (mean, std) = DataSource.Normalisation(data, images.Channels);
        PretrainConfig config = r.GetValue(o.Resume) ? PretrainRun.ReadConfig(outDir) : Configure(r, o, images) with { InputSize = images.Height, Mean = mean, Std = std };
        var augmentation = config.Augmentation(config.InputSize, config.Mean, config.Std);
        var source = new InMemoryViewPairSource(images, augmentation, config.Seed);

        string? knnData = r.GetValue(o.KnnData);
        InMemoryImages? knnTest = null, knnBank = null;
        KnnMonitor? knn = null;
        if (knnData is not null)
        {
            int knnLimit = r.GetValue(o.KnnLimit) ?? int.MaxValue;
            knnTest = DataSource.Load(knnData, knnLimit, defaultTrain: false);
            knnBank = images.Take(knnLimit);
            knn = new KnnMonitor(knnBank, knnTest, augmentation with { }, config.KnnK, config.KnnTemperature);
        }
        try
        {
            return Train(config, source, knn, outDir, r.GetValue(o.Resume), data, images.Count, $"{images.Channels}×{images.Height}×{images.Width}");
        }
        finally
        {
            knnTest?.Dispose();
            knnBank?.Dispose();
        }
    }

    /// <summary>Pretraining on image files through MoCo.Imaging's loader (decoding and the exact torchvision recipes on
    /// CPU worker threads).</summary>
    private static int RunOnFiles(ParseResult r, Options o, string data)
    {
        string outDir = r.GetValue(o.Out)!;
        var dataset = DataSource.Files(data, r.GetValue(o.Limit) ?? int.MaxValue);
        int size = r.GetValue(o.InputSize) ?? 224;
        int channels = r.GetValue(o.InChannels) ?? 3;
        double[] mean = channels == 3 ? [0.485, 0.456, 0.406] : [0.449], std = channels == 3 ? [0.229, 0.224, 0.225] : [0.226];
        PretrainConfig config = r.GetValue(o.Resume)
            ? PretrainRun.ReadConfig(outDir)
            : Configure(r, o, size, channels) with { InputSize = size, Mean = mean, Std = std };
        var recipe = config.AugmentationRecipe(config.InputSize, config.Mean, config.Std);
        int workers = r.GetValue(o.Workers) ?? 0;
        var loader = MoCo.Imaging.Loading.ImageLoader.ForPretraining(dataset, recipe, config.InChannels,
            new MoCo.Imaging.Loading.LoaderOptions(BatchSize: config.BatchSize, Workers: workers, Seed: unchecked((int)config.Seed), ReplaceBadFiles: true,
                ScaledJpegDecode: r.GetValue(o.ScaledDecode) ?? true));
        var source = new LoaderViewPairSource(loader, dataset.Count, config.InChannels, config.InputSize, config.BatchSize);
        // Both JPEG decoders give PIL's pixels; say which one runs, since the fallback is slower (docs/imaging.md).
        Console.WriteLine(MoCo.Imaging.ImageDecoder.JpegBackend == MoCo.Imaging.DecoderBackend.TurboJpeg
            ? "decoding: JPEG through the system's libturbojpeg, other formats through SkiaSharp"
            : "decoding: JPEG and other formats through SkiaSharp (libturbojpeg0 not found: JPEG decoding is slower)");
        KnnMonitor? knn = null;
        string? knnData = r.GetValue(o.KnnData);
        if (knnData is not null)
        {
            int knnLimit = r.GetValue(o.KnnLimit) ?? int.MaxValue;
            if (dataset.Classes.Count == 0) throw new ArgumentException("the kNN monitor needs labelled training data (class subfolders) as its bank");
            var eval = new MoCo.Imaging.Transforms.EvalTransform((int)Math.Round(config.InputSize * 256.0 / 224), config.InputSize)
                { Mean = recipe.Mean, Std = recipe.Std };
            KnnMonitorSet Make(MoCo.Imaging.Datasets.IImageDataset set) => new(set, eval, config.InChannels, workers);
            var bank = Make(DataSource.Files(data, knnLimit));
            var test = Make(DataSource.Files(knnData, knnLimit));
            knn = new KnnMonitor(bank.Images, test.Images, config.KnnK, config.KnnTemperature);
        }
        return Train(config, source, knn, outDir, r.GetValue(o.Resume), data, dataset.Count, $"{config.InChannels}×{config.InputSize}×{config.InputSize} views");
    }

    private sealed class KnnMonitorSet(MoCo.Imaging.Datasets.IImageDataset set, MoCo.Imaging.Transforms.EvalTransform eval, int channels, int workers)
    {
        internal LoaderLabelledImages Images { get; } = new(
            MoCo.Imaging.Loading.ImageLoader.ForExtraction(set, eval, channels, new MoCo.Imaging.Loading.LoaderOptions(BatchSize: 256, Workers: workers, DropLast: false, Shuffle: false)),
            set.Count, set.Classes.Count);
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

    private static PretrainConfig Configure(ParseResult r, Options o, InMemoryImages images) => Configure(r, o, images.Height, images.Channels);

    private static PretrainConfig Configure(ParseResult r, Options o, int imageSize, int imageChannels)
    {
        var c = PretrainConfig.FromPreset(r.GetValue(o.Preset)!);
        bool small = r.GetValue(o.SmallImages) ?? imageSize <= 64;
        c = c with
        {
            Method = r.GetValue(o.Method) is { } method ? ContrastiveMethodNames.Parse(method) : c.Method,
            Arch = r.GetValue(o.Arch) ?? (small ? "resnet18" : c.Arch),
            Width = r.GetValue(o.Width) ?? c.Width,
            SmallImages = small,
            InChannels = r.GetValue(o.InChannels) ?? imageChannels,
            BatchSize = r.GetValue(o.Batch) ?? c.BatchSize,
            QueueSize = r.GetValue(o.Queue) ?? c.QueueSize,
            Momentum = r.GetValue(o.Momentum) ?? c.Momentum,
            MemoryBankMomentum = r.GetValue(o.BankMomentum) ?? c.MemoryBankMomentum,
            Temperature = r.GetValue(o.Temperature) ?? c.Temperature,
            Symmetric = r.GetValue(o.Symmetric) ?? c.Symmetric,
            BnSplits = r.GetValue(o.BnSplits) ?? c.BnSplits,
            LearningRate = r.GetValue(o.Lr) ?? c.LearningRate,
            Epochs = r.GetValue(o.Epochs) ?? c.Epochs,
            Schedule = r.GetValue(o.Schedule) ?? c.Schedule,
            LrPerStep = r.GetValue(o.LrPerStep) ?? c.LrPerStep,
            WarmupEpochs = r.GetValue(o.WarmupEpochs) ?? c.WarmupEpochs,
            Threads = r.GetValue(o.Threads) ?? c.Threads,
            Seed = r.GetValue(o.Seed) ?? c.Seed,
            Device = r.GetValue(o.Device) ?? c.Device,
            Deterministic = r.GetValue(o.Deterministic) ?? c.Deterministic,
            ChannelsLast = r.GetValue(o.ChannelsLast) ?? c.ChannelsLast,
            CheckpointEvery = r.GetValue(o.CheckpointEvery) ?? c.CheckpointEvery,
        };
        c.Validate();
        return c;
    }
}
